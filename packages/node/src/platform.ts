import type { PlatformInfo } from '@msal-ts/core'

/** This package's version; a test keeps it equal to package.json's. */
export const VERSION = '0.1.0'

/** Sent as x-client-sku / x-client-ver / x-client-os. */
export const nodePlatform = (): PlatformInfo => ({ sku: 'msal.ts.node', version: VERSION, os: process.platform })
