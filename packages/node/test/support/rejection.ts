import { MsalError } from '@msal-ts/node'

/** The MsalError a promise rejects with; the test fails if it resolves or rejects with anything else. */
export const rejectionOf = async (promise: unknown): Promise<MsalError> => {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MsalError)
  return error as MsalError
}
