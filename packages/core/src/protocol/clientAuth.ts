/**
 * How a confidential client proves who it is on the token endpoint. Each method is a small
 * function from the credential to form fields (the oauth4webapi way).
 */
export type ClientCredential = { readonly _tag: 'ClientSecret'; readonly secret: string }

/** The form fields that authenticate the client (client_secret_post). */
export const clientAuthFields = (credential: ClientCredential): Record<string, string> => {
  switch (credential._tag) {
    case 'ClientSecret':
      return { client_secret: credential.secret }
  }
}

/** Form fields that hold secrets; recorders redact them and loggers never print them. */
export const SECRET_FORM_FIELDS: readonly string[] = [
  'client_secret',
  'client_assertion',
  'assertion',
  'refresh_token',
  'code',
  'code_verifier',
  'password',
  'device_code',
]
