import * as E from '../../util/either.js'
import { perform, type Program } from '../../effects/program.js'
import { popupBlockedError, type MsalError } from '../../errors.js'
import type { SpaRequest } from './request.js'
import { spaBinding, type PrepareBinding, type SpaBindingFor } from '../../pop/binding.js'

// A popup opens in the caller's task or not at all (popup blockers allow only a user action's
// own task): the one step of a popup flow a page cannot load on demand, kept apart from the rest.

/** Opens a popup (about:blank until a flow sends it somewhere): its id, or undefined when the browser blocked it. */
export const openPopup = (): Program<string | undefined> => perform<'OpenPopup'>({ _tag: 'OpenPopup' })

/** A sign-in popup, open, and the request's key binding, readied for the flow that continues in it. */
export interface OpenedPopup {
  /** The popup's id (the OpenPopup effect's answer). */
  readonly popup: string
  /** The request's key binding (PoP, SSH certificates), or undefined for a bearer request. */
  readonly prepare: PrepareBinding | undefined
}

/**
 * loginPopup / acquireTokenPopup's first step: the request's key binding checked (no effect), then
 * the popup opened. Blocked is a PopupBlockedError at once.
 */
export function* openSignInPopup(request: SpaRequest, bindingFor: SpaBindingFor | undefined): Program<E.Either<MsalError, OpenedPopup>> {
  const prepare = spaBinding(request, bindingFor)
  if (E.isLeft(prepare)) return prepare
  const popup = yield* openPopup()
  if (popup === undefined) return E.left(popupBlockedError('the browser blocked the sign-in popup: open it from a user action (a click), or use loginRedirect'))
  return E.right({ popup, prepare: prepare.right })
}

/** Closes a popup (a flow's popup whose flow could not go on). */
export const closePopup = (popup: string): Program<undefined> => perform<'ClosePopup'>({ _tag: 'ClosePopup', popup })
