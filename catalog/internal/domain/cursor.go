package domain

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// maxCursorLength bounds an encoded cursor.
const maxCursorLength = 512

// Cursor is a position in a sorted product list: the sort key and id of
// the last item of a page. The next page starts strictly after it, so
// pages neither skip nor repeat items while products are added.
type Cursor struct {
	Sort Sort   `json:"s"`
	Key  int64  `json:"k"`
	ID   string `json:"i"`
}

// Encode returns the opaque form of c given to clients.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // a struct of strings and an int cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by Encode.
func DecodeCursor(raw string) (Cursor, error) {
	if len(raw) > maxCursorLength {
		return Cursor{}, errors.New("cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return Cursor{}, fmt.Errorf("decode cursor: %w", err)
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return Cursor{}, fmt.Errorf("decode cursor: %w", err)
	}
	switch c.Sort {
	case SortRelevance, SortPriceAsc, SortPriceDesc, SortNewest:
	default:
		return Cursor{}, errors.New("cursor of an unknown sort")
	}
	if c.ID == "" {
		return Cursor{}, errors.New("cursor without id")
	}
	return c, nil
}
