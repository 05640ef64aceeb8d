/**
 * @msal-ts/browser/http: the HTTP client under the web interpreter (fetch with a timeout over
 * the whole body, a response-size limit, form-encoded bodies), for those who build their own
 * interpreter. An entry of its own so that a page's first chunk does not carry it: the
 * interpreter loads it with the first request.
 */
export { performHttp, DEFAULT_MAX_RESPONSE_BYTES, type HttpClient, type HttpLimits } from './http.js'
export { corsSafeRequest } from './spa/corsSafe.js'
