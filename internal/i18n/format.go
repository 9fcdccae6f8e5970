package i18n

import (
	"math"
	"time"

	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Num formats x with at most decimals digits after the separator, the
// locale's way: 2.5 is "2.5" in English, "2,5" in German; trailing zeros
// are dropped (3.0 → "3").
func Num(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	p := message.NewPrinter(load().lang.Tag)
	return p.Sprint(number.Decimal(x, number.MaxFractionDigits(decimals)))
}

// Int formats n with the locale's digit grouping.
func Int(n int) string {
	return message.NewPrinter(load().lang.Tag).Sprint(number.Decimal(n))
}

// Duration says d in the current language's words, rounded to what a
// person reads: "850 ms", "42 s", "2 min 10 s", "1 h 5 min".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Second:
		return T("unit.duration.ms", Args{"Ms": Int(int(d / time.Millisecond))})
	case d < 10*time.Second:
		return T("unit.duration.s", Args{"S": Num(d.Seconds(), 1)})
	case d < time.Minute:
		return T("unit.duration.s", Args{"S": Int(int(d.Round(time.Second) / time.Second))})
	case d < time.Hour:
		d = d.Round(time.Second)
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if s == 0 {
			return T("unit.duration.min", Args{"Min": Int(m)})
		}
		return T("unit.duration.min_s", Args{"Min": Int(m), "S": Int(s)})
	default:
		d = d.Round(time.Minute)
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return T("unit.duration.h", Args{"H": Int(h)})
		}
		return T("unit.duration.h_min", Args{"H": Int(h), "Min": Int(m)})
	}
}

// clockLayout and dateLayout are the Go time layouts per language: a time
// of day is 24-hour everywhere ("14:03"); dates are numeric, in each
// locale's order, so no month name needs translating.
var dateLayout = map[string]string{
	"en": "2006-01-02", "de": "02.01.2006", "es": "02/01/2006", "fr": "02/01/2006",
	"it": "02/01/2006", "pt-BR": "02/01/2006", "ja": "2006/01/02", "ko": "2006. 01. 02.",
	"zh-Hans": "2006/01/02", "zh-Hant": "2006/01/02",
}

// Clock formats a time of day ("14:03").
func Clock(t time.Time) string { return t.Format("15:04") }

// ClockSeconds formats a time of day with seconds ("14:03:07").
func ClockSeconds(t time.Time) string { return t.Format("15:04:05") }

// Date formats a calendar date in the current locale's order
// ("2026-12-06", "06.12.2026", "2026/12/06").
func Date(t time.Time) string {
	if l, ok := dateLayout[load().lang.Code]; ok {
		return t.Format(l)
	}
	return t.Format(dateLayout["en"])
}
