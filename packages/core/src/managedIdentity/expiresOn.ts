import { daysFromCivil } from '../util/httpDate.js'

const epochSeconds = (year: number, month: number, day: number, hours: number, minutes: number, seconds: number, offsetMinutes: number): number | undefined => {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined
  return daysFromCivil(year, month, day) * 86400 + hours * 3600 + minutes * 60 + seconds - offsetMinutes * 60
}

const offsetOf = (sign: string, hh: string, mm: string): number => (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm))

/** ISO 8601 with a time zone: 2026-01-01T10:00:00Z, 2026-01-01T10:00:00.123+01:00 (a local time without one is ambiguous). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/

/**
 * App Service's 2017-09-01 protocol: "06/20/2019 02:57:58 +00:00" (24-hour) and
 * "1/16/2020 5:24:12 AM +00:00" (12-hour), month first (azure-identity parses both).
 */
const APP_SERVICE_2017 = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ([AaPp][Mm]))? ([+-])(\d{2}):(\d{2})$/

const hours24 = (hours: number, meridiem: string | undefined): number | undefined => {
  if (meridiem === undefined) return hours
  if (hours < 1 || hours > 12) return undefined
  return (hours % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0)
}

/**
 * A managed identity source's `expires_on`, in epoch seconds: a number, a numeric string, an
 * ISO 8601 date-time with a time zone, or App Service's 2017 date format. Undefined when it is
 * none of these (the caller reports the response as invalid).
 */
export const parseExpiresOn = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text))
  const iso = ISO_8601.exec(text)
  if (iso !== null) {
    const [, y, mo, d, h, mi, s, zulu, sign, oh, om] = iso
    return epochSeconds(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), zulu !== undefined ? 0 : offsetOf(sign!, oh!, om!))
  }
  const old = APP_SERVICE_2017.exec(text)
  if (old !== null) {
    const [, mo, d, y, h, mi, s, meridiem, sign, oh, om] = old
    const hours = hours24(Number(h), meridiem)
    return hours === undefined ? undefined : epochSeconds(Number(y), Number(mo), Number(d), hours, Number(mi), Number(s), offsetOf(sign!, oh!, om!))
  }
  return undefined
}

/** A whole number of seconds as a source sends it: a number or a numeric string. */
export const parseSeconds = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Math.floor(Number(value.trim()))
  return undefined
}
