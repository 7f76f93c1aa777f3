package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in minor units and an ISO 4217 currency code.
type Money struct {
	Amount   int64
	Currency string
}

// exponents are the ISO 4217 minor-unit digits that are not 2.
var exponents = map[string]int{
	"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}

// symbols are shown before the amount; other currencies show their code after it.
var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}

// String formats the amount in its currency: €12.50, $3.00, ¥500, 1.250 KWD.
func (m Money) String() string {
	cur := strings.ToUpper(m.Currency)
	exp, ok := exponents[cur]
	if !ok {
		exp = 2
	}
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	digits := strconv.FormatInt(a, 10)
	if exp > 0 {
		for len(digits) <= exp {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if sym, ok := symbols[cur]; ok {
		return sign + sym + digits
	}
	return fmt.Sprintf("%s%s %s", sign, digits, cur)
}

// Times multiplies the amount by n.
func (m Money) Times(n int64) Money { return Money{Amount: m.Amount * n, Currency: m.Currency} }
