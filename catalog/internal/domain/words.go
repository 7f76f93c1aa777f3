package domain

import (
	"strings"
	"unicode"
)

// Words splits text into lower-case words of letters and digits; anything
// else separates words. Searches and the search index both use it, so "$gt"
// is just the word "gt".
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
