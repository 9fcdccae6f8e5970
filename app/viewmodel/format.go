package viewmodel

import (
	"math"

	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// fixed formats x with exactly decimals digits after the current language's
// decimal separator and no digit grouping, as a measured figure is read
// ("0.4", "0,4", "1200").
func fixed(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	p := message.NewPrinter(i18n.Current().Tag)
	return p.Sprint(number.Decimal(x, number.Scale(decimals), number.NoSeparator()))
}

// msText formats milliseconds with a decimal below 10 ms ("0.4 ms", "120 ms").
func msText(ms float64) string {
	if ms < 10 {
		return i18n.T("window.unit.ms", i18n.Args{"N": fixed(ms, 1)})
	}
	return i18n.T("window.unit.ms", i18n.Args{"N": fixed(ms, 0)})
}

// seconds formats a whole or fractional number of seconds ("10", "2.5").
func seconds(s float64) string { return i18n.Num(s, 3) }
