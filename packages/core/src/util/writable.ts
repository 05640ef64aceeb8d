/** `T` with its fields assignable: an object literal built first and its optional fields assigned after (one hidden class per kind on V8). */
export type Writable<T> = { -readonly [K in keyof T]: T[K] }
