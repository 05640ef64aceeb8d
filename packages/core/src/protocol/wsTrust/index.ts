/** The federated user's building blocks of the username/password flow: user realm, MEX, WS-Trust, SAML bearer. */
export * from './namespaces.js'
export * from './xml.js'
export * from './userRealm.js'
export * from './mex.js'
export * from './request.js'
export * from './response.js'
export * from './samlBearer.js'
