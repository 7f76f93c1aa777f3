package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// csvHeader is the first row of the CSV report.
var csvHeader = []string{"date", "currency", "orders", "lines", "units", "revenue", "refunds", "refunded", "net"}

// flushEvery is how many rows are written between flushes of the stream.
const flushEvery = 32

// salesReport streams the caller's sales per day and currency over
// ?from=&to= (YYYY-MM-DD, inclusive, at most a year) as CSV (default) or
// JSON. The range is validated before the first byte is sent; rows are
// read one day at a time and flushed as they come, so a year costs no
// more memory than a day.
func (a *API) salesReport(c *gin.Context) {
	who, err := owner(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	format := c.DefaultQuery("format", "csv")
	if format != "csv" && format != "json" {
		httpserver.WriteError(c, apperr.Validation(apperr.FieldError{Field: "format", Message: "must be csv or json"}))
		return
	}
	days, err := a.svc.ReportDays(c.Query("from"), c.Query("to"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	name := "sales-" + days[0] + "-to-" + days[len(days)-1]
	c.Header("Cache-Control", "no-store")
	buf := bufio.NewWriter(c.Writer)
	rows := 0
	flush := func() {
		rows++
		if rows%flushEvery == 0 {
			_ = buf.Flush()
			c.Writer.Flush()
		}
	}
	if format == "json" {
		c.Header("Content-Type", "application/json; charset=utf-8")
		c.Status(http.StatusOK)
		head, _ := json.Marshal(map[string]string{"merchant_id": who, "from": days[0], "to": days[len(days)-1]})
		_, _ = buf.Write(head[:len(head)-1])
		_, _ = buf.WriteString(`,"rows":[`)
		err = a.svc.ReportOf(c, who, days, func(r domain.ReportRow) error {
			if rows > 0 {
				_ = buf.WriteByte(',')
			}
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			_, err = buf.Write(b)
			flush()
			return err
		})
		if err == nil {
			_, _ = buf.WriteString("]}\n")
		}
	} else {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Status(http.StatusOK)
		_, _ = buf.WriteString("\uFEFF") // UTF-8 BOM: spreadsheets read the file as UTF-8
		w := csv.NewWriter(buf)
		w.UseCRLF = true
		_ = w.Write(csvHeader)
		err = a.svc.ReportOf(c, who, days, func(r domain.ReportRow) error {
			err := w.Write(SafeCells(
				r.Day, r.Currency, strconv.FormatInt(r.Orders, 10), strconv.FormatInt(r.Lines, 10), strconv.FormatInt(r.Units, 10),
				domain.FormatAmount(r.Revenue, r.Currency), strconv.FormatInt(r.Refunds, 10),
				domain.FormatAmount(r.Refunded, r.Currency), domain.FormatAmount(r.Net, r.Currency)))
			if rows%flushEvery == flushEvery-1 {
				w.Flush()
			}
			flush()
			return err
		})
		w.Flush()
	}
	if err != nil {
		// Headers are gone: the truncated body (no closing bracket, a short
		// CSV) tells the client; the log tells us.
		_ = c.Error(err)
	}
	_ = buf.Flush()
}

// SafeCells neutralises formula injection: a cell that a spreadsheet would
// run as a formula (starting with = + - @, a tab or a carriage return) and
// that is not a plain number gets a leading apostrophe.
func SafeCells(cells ...string) []string {
	for i, v := range cells {
		if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "eEnNiI") {
			continue // a negative number
		}
		cells[i] = "'" + v
	}
	return cells
}
