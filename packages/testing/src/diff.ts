/** A readable, path-by-path difference between two JSON values: "request.form.scope: expected ..., got ...". */
export const diffJson = (expected: unknown, actual: unknown, path = ''): string[] => {
  if (Object.is(expected, actual)) return []
  const here = path === '' ? '(value)' : path
  const bothObjects =
    typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null &&
    Array.isArray(expected) === Array.isArray(actual)
  if (!bothObjects) return [`${here}: expected ${show(expected)}, got ${show(actual)}`]
  const e = expected as Record<string, unknown>
  const a = actual as Record<string, unknown>
  const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort()
  return keys.flatMap((key) => {
    const child = path === '' ? key : `${path}.${key}`
    if (!(key in a)) return [`${child}: expected ${show(e[key])}, got nothing`]
    if (!(key in e)) return [`${child}: unexpected ${show(a[key])}`]
    return diffJson(e[key], a[key], child)
  })
}

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
