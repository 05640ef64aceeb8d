import { request } from 'node:http'

export interface RawRequest {
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

export interface RawResponse {
  readonly status: number
  readonly contentType: string
  readonly body: string
  /** The Location header of a redirect. */
  readonly location?: string | undefined
}

/** One HTTP request with exactly the headers given (fetch would not let a test forge Host), and its whole answer. */
export const rawHttp = (method: string, url: string, { headers = {}, body }: RawRequest = {}): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          ...(res.headers.location !== undefined ? { location: res.headers.location } : {}),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
