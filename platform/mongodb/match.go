package mongodb

import (
	"bytes"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
)

// matches reports whether doc satisfies guard, with MongoDB's semantics for
// the part of the query language that guarded writes use: implicit
// equality and $eq, $ne, $in, $nin, $exists, $gt, $gte, $lt, $lte, on
// dotted paths into embedded documents; numbers compare by value whatever
// their BSON type, and a missing field equals null. Any other operator is
// an error, so a guard the emulation cannot judge is never guessed at.
func matches(doc bson.Raw, guard bson.M) (bool, error) {
	for path, cond := range guard {
		if strings.HasPrefix(path, "$") {
			return false, fmt.Errorf("guard: top-level operator %s is not supported", path)
		}
		got, present := lookup(doc, path)
		ok, err := matchCondition(got, present, cond)
		if err != nil {
			return false, fmt.Errorf("guard on %s: %w", path, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func lookup(doc bson.Raw, path string) (bson.RawValue, bool) {
	v, err := doc.LookupErr(strings.Split(path, ".")...)
	if err != nil {
		return bson.RawValue{}, false
	}
	return v, true
}

// matchCondition judges one field: cond is either a value (equality) or a
// document of operators.
func matchCondition(got bson.RawValue, present bool, cond any) (bool, error) {
	ops, isOps, err := operators(cond)
	if err != nil {
		return false, err
	}
	if !isOps {
		return equalsField(got, present, cond)
	}
	for op, arg := range ops {
		ok, err := matchOperator(got, present, op, arg)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// operators returns cond as an operator document when its keys all start
// with $.
func operators(cond any) (bson.M, bool, error) {
	var m bson.M
	switch c := cond.(type) {
	case bson.M:
		m = c
	case map[string]any:
		m = c
	case bson.D:
		m = make(bson.M, len(c))
		for _, e := range c {
			m[e.Key] = e.Value
		}
	default:
		return nil, false, nil
	}
	if len(m) == 0 {
		return nil, false, nil
	}
	for k := range m {
		if !strings.HasPrefix(k, "$") {
			return nil, false, nil
		}
	}
	return m, true, nil
}

func matchOperator(got bson.RawValue, present bool, op string, arg any) (bool, error) {
	switch op {
	case "$eq":
		return equalsField(got, present, arg)
	case "$ne":
		eq, err := equalsField(got, present, arg)
		return !eq, err
	case "$exists":
		want, ok := arg.(bool)
		if !ok {
			return false, fmt.Errorf("$exists takes a bool, got %T", arg)
		}
		return present == want, nil
	case "$in", "$nin":
		values, err := listOf(arg)
		if err != nil {
			return false, fmt.Errorf("%s: %w", op, err)
		}
		in := false
		for _, v := range values {
			eq, err := equalsField(got, present, v)
			if err != nil {
				return false, err
			}
			if eq {
				in = true
				break
			}
		}
		return in == (op == "$in"), nil
	case "$gt", "$gte", "$lt", "$lte":
		if !present {
			return false, nil
		}
		want, err := rawValue(arg)
		if err != nil {
			return false, err
		}
		c, comparable := compare(got, want)
		if !comparable {
			return false, nil
		}
		switch op {
		case "$gt":
			return c > 0, nil
		case "$gte":
			return c >= 0, nil
		case "$lt":
			return c < 0, nil
		default:
			return c <= 0, nil
		}
	default:
		return false, fmt.Errorf("operator %s is not supported", op)
	}
}

func listOf(arg any) ([]any, error) {
	raw, err := rawValue(arg)
	if err != nil {
		return nil, err
	}
	arr, ok := raw.ArrayOK()
	if !ok {
		return nil, fmt.Errorf("expected an array, got %s", raw.Type)
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, err
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out, nil
}

// equalsField is MongoDB's equality: null matches a missing field, and an
// array field matches when the whole array or any element equals want.
func equalsField(got bson.RawValue, present bool, want any) (bool, error) {
	w, err := rawValue(want)
	if err != nil {
		return false, err
	}
	if !present {
		return w.Type == bson.TypeNull, nil
	}
	if equal(got, w) {
		return true, nil
	}
	if arr, ok := got.ArrayOK(); ok && w.Type != bson.TypeArray {
		vals, err := arr.Values()
		if err != nil {
			return false, err
		}
		for _, v := range vals {
			if equal(v, w) {
				return true, nil
			}
		}
	}
	return false, nil
}

func rawValue(v any) (bson.RawValue, error) {
	if rv, ok := v.(bson.RawValue); ok {
		return rv, nil
	}
	if v == nil {
		return bson.RawValue{Type: bson.TypeNull}, nil
	}
	t, data, err := bson.MarshalValue(v)
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("guard value %v: %w", v, err)
	}
	return bson.RawValue{Type: t, Value: data}, nil
}

func equal(a, b bson.RawValue) bool {
	if c, ok := compare(a, b); ok {
		return c == 0
	}
	return a.Type == b.Type && bytes.Equal(a.Value, b.Value)
}

// compare orders two values of the same kind (numbers, strings, dates,
// booleans); comparable is false for values of different kinds.
func compare(a, b bson.RawValue) (c int, comparable bool) {
	if ai, ok := integer(a); ok {
		if bi, ok := integer(b); ok {
			return cmpInt(ai, bi), true
		}
	}
	if an, ok := number(a); ok {
		bn, ok := number(b)
		if !ok {
			return 0, false
		}
		return cmpFloat(an, bn), true
	}
	switch {
	case a.Type == bson.TypeString && b.Type == bson.TypeString:
		return strings.Compare(a.StringValue(), b.StringValue()), true
	case a.Type == bson.TypeDateTime && b.Type == bson.TypeDateTime:
		return cmpInt(a.DateTime(), b.DateTime()), true
	case a.Type == bson.TypeBoolean && b.Type == bson.TypeBoolean:
		return cmpInt(boolInt(a.Boolean()), boolInt(b.Boolean())), true
	}
	return 0, false
}

func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true
	case bson.TypeInt64:
		return float64(v.Int64()), true
	case bson.TypeDouble:
		return v.Double(), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func integer(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return int64(v.Int32()), true
	case bson.TypeInt64:
		return v.Int64(), true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
