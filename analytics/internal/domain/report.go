package domain

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// MaxReportDays is the longest range a sales report covers.
const MaxReportDays = 366

// ReportRow is one day and currency of a sales report. A day without
// sales has one row with an empty currency and zeros.
type ReportRow struct {
	Day      string `json:"day"`
	Currency string `json:"currency"`
	Orders   int64  `json:"orders"`
	Lines    int64  `json:"lines"`
	Units    int64  `json:"units"`
	Revenue  int64  `json:"revenue"`
	Refunds  int64  `json:"refunds"`
	Refunded int64  `json:"refunded"`
	Net      int64  `json:"net"`
}

// ReportRows are the rows of f's day, by currency.
func ReportRows(day string, f *Figures) []ReportRow {
	if f == nil || len(f.Currencies) == 0 {
		return []ReportRow{{Day: day}}
	}
	codes := make([]string, 0, len(f.Currencies))
	for c := range f.Currencies {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	out := make([]ReportRow, 0, len(codes))
	for _, code := range codes {
		c := f.Currencies[code]
		out = append(out, ReportRow{
			Day: day, Currency: code, Orders: c.Orders, Lines: c.Lines, Units: c.Units,
			Revenue: c.Revenue, Refunds: c.Refunds, Refunded: c.Refunded, Net: c.Revenue - c.Refunded,
		})
	}
	return out
}

// ReportRange parses the from and to query values (YYYY-MM-DD, both
// inclusive; to defaults to today, from to 29 days before to) and returns
// the days in order. A range over MaxReportDays, reversed or malformed is
// a validation error.
func ReportRange(from, to string, now time.Time) ([]string, error) {
	invalid := apperr.Validation()
	end := now.UTC().Truncate(24 * time.Hour)
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			invalid.Add("to", "must be a date, YYYY-MM-DD")
		}
		end = t
	}
	start := end.AddDate(0, 0, -29)
	if from != "" {
		f, err := time.Parse(time.DateOnly, from)
		if err != nil {
			invalid.Add("from", "must be a date, YYYY-MM-DD")
		}
		start = f
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	days := int(end.Sub(start)/(24*time.Hour)) + 1
	switch {
	case days < 1:
		return nil, apperr.Validation(apperr.FieldError{Field: "from", Message: "must not be after to"})
	case days > MaxReportDays:
		return nil, apperr.Validation(apperr.FieldError{Field: "from", Message: fmt.Sprintf("a report covers at most %d days", MaxReportDays)})
	}
	out := make([]string, days)
	for i := range out {
		out[i] = DayOf(start.AddDate(0, 0, i))
	}
	return out, nil
}

// zeroDecimal are the ISO 4217 currencies without minor units that a
// shop is likely to use.
var zeroDecimal = map[string]bool{"JPY": true, "KRW": true, "VND": true, "CLP": true, "ISK": true, "HUF": false}

// FormatAmount writes minor units as a decimal number in currency's unit,
// such as 1999 USD as "19.99", for spreadsheets.
func FormatAmount(minor int64, currency string) string {
	if zeroDecimal[currency] {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}
