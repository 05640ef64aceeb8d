/** The largest response body read by default: 1 MiB, far above any token, discovery or MEX document. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
