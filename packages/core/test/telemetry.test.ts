import { ApiId, emptyTelemetry, libraryHeaders, recordCacheHit, recordServerAnswer, RefreshReason, telemetryHeaders } from '@msal-ts/core/protocol'

const platform = { sku: 'msal.ts.node', version: '1.2.3', os: 'linux' }

describe('telemetry headers', () => {
  it('identify the library and advertise throttling support', () => {
    expect(libraryHeaders(platform)).toEqual({
      'x-client-sku': 'msal.ts.node',
      'x-client-ver': '1.2.3',
      'x-client-os': 'linux',
      'x-ms-lib-capability': 'retry-after, h429',
    })
    expect(libraryHeaders(platform, 'contoso-app', '2.0')).toMatchObject({ 'x-app-name': 'contoso-app', 'x-app-ver': '2.0' })
  })

  it('describe the current request and the last ones (schema 4)', () => {
    expect(telemetryHeaders(emptyTelemetry, ApiId.acquireTokenForClient, RefreshReason.absent, 'corr-1')).toEqual({
      'client-request-id': 'corr-1',
      'x-client-current-telemetry': '4|730,2|',
      'x-client-last-telemetry': '4|0|||',
    })
  })

  it('count cache hits and list failures until a success clears them', () => {
    let buffer = recordCacheHit(recordCacheHit(emptyTelemetry))
    buffer = recordServerAnswer(buffer, ApiId.acquireTokenForClient, 'c1', 'invalid_client')
    buffer = recordServerAnswer(buffer, ApiId.acquireTokenSilent, 'c2', 'invalid_grant')
    expect(telemetryHeaders(buffer, ApiId.acquireTokenForClient, RefreshReason.expired, 'c3')['x-client-last-telemetry']).toBe(
      '4|2|730,c1,84,c2|invalid_client,invalid_grant|',
    )
    expect(recordServerAnswer(buffer, ApiId.acquireTokenForClient, 'c3', undefined)).toEqual(emptyTelemetry)
  })

  it('stop recording failures before the last-request header passes 350 characters', () => {
    let buffer = emptyTelemetry
    for (let i = 0; i < 50; i++) buffer = recordServerAnswer(buffer, ApiId.acquireTokenForClient, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'server_error')
    const header = telemetryHeaders(buffer, ApiId.acquireTokenForClient, RefreshReason.absent, 'c')['x-client-last-telemetry']!
    expect(header.length).toBeLessThanOrEqual(350)
    expect(buffer.failures.length).toBeGreaterThan(3)
    expect(buffer.failures.length).toBeLessThan(50)
  })
})
