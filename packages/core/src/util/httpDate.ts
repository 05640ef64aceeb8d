/**
 * Parses an IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", to epoch
 * milliseconds without the Date global (core keeps off globals). Undefined when unreadable.
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

export const parseHttpDate = (text: string): number | undefined => {
  const match = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text.trim())
  if (!match) return undefined
  const [, dd, mon, yyyy, hh, mm, ss] = match
  const month = MONTHS.indexOf(mon!.toLowerCase())
  const day = Number(dd)
  const [hours, minutes, seconds] = [Number(hh), Number(mm), Number(ss)]
  if (month < 0 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined
  return (daysFromCivil(Number(yyyy), month + 1, day) * 86400 + hours * 3600 + minutes * 60 + seconds) * 1000
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}
