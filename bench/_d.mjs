import { SerializableTokenCache } from '@msal-ts/node'
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
const NOW = 1_700_000_000
const c = new SerializableTokenCache()
for (let a = 0; a < 1000; a++) {
  const uid = `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`
  for (let t = 0; t < 100; t++) c.add({ clientId: 'c', scope: [`api://s${t}/.default`], environment: 'login.microsoftonline.com', realm: 'tid', response: { access_token: 'x'.repeat(400) + a + '-' + t, expires_in: 3600, refresh_token: 'rt' + a, client_info: b64({ uid, utid: 'tid' }), id_token: `${b64({alg:'none'})}.${b64({ oid: uid, tid: 'tid', preferred_username: `u${a}@x.com` })}.` } }, NOW)
}
const text = c.serialize()
console.log('chars', text.length)
const times = []
for (let i = 0; i < 7; i++) { const d = new SerializableTokenCache(); const t0 = performance.now(); d.deserialize(text); times.push(performance.now() - t0) }
times.sort((a, b) => a - b); console.log('deserialize median ms', times[3].toFixed(0), 'min', times[0].toFixed(0))
