/**
 * fp-ts's Either (its type, so results work with fp-ts's functions), with the few constructors
 * and guards core uses written out: importing them from fp-ts brings its function module along,
 * about 1.5 KB in a browser bundle, for one-liners.
 */
import type * as F from '#fp-ts/Either'

export type Either<L, A> = F.Either<L, A>
export type Left<L> = F.Left<L>
export type Right<A> = F.Right<A>

export const left = <L = never, A = never>(value: L): Either<L, A> => ({ _tag: 'Left', left: value })
export const right = <L = never, A = never>(value: A): Either<L, A> => ({ _tag: 'Right', right: value })
export const isLeft = <L, A>(either: Either<L, A>): either is Left<L> => either._tag === 'Left'
export const isRight = <L, A>(either: Either<L, A>): either is Right<A> => either._tag === 'Right'
export const map =
  <A, B>(f: (a: A) => B) =>
  <L>(either: Either<L, A>): Either<L, B> =>
    isLeft(either) ? either : right(f(either.right))
export const chain =
  <L, A, B>(f: (a: A) => Either<L, B>) =>
  (either: Either<L, A>): Either<L, B> =>
    isLeft(either) ? either : f(either.right)
export const getOrElseW =
  <L, B>(onLeft: (left: L) => B) =>
  <A>(either: Either<L, A>): A | B =>
    isLeft(either) ? onLeft(either.left) : either.right
export const mapLeft =
  <L, M>(f: (left: L) => M) =>
  <A>(either: Either<L, A>): Either<M, A> =>
    isLeft(either) ? left(f(either.left)) : either
