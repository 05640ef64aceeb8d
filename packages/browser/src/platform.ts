import type { PlatformInfo } from '@msal-ts/core/spa'

/** This package's version; a test keeps it equal to package.json's. */
export const VERSION = '0.1.0'

/** Sent as x-client-sku / x-client-ver / x-client-os. Web runtimes name no operating system. */
export const webPlatform = (): PlatformInfo => ({ sku: 'msal.ts.browser', version: VERSION, os: 'web' })
