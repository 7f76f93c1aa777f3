package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"
)

// logLevels are the accepted values of LOG_LEVEL.
var logLevels = []string{"debug", "info", "warn", "error"}

// Validator is implemented by a service's configuration struct that checks
// rules env tags cannot express. Load calls Validate after parsing.
type Validator interface {
	Validate() error
}

// Load fills cfg, a pointer to a service's configuration struct, from the
// environment. Defaults come from `envDefault` tags; `env:"X,required"` makes
// a variable mandatory. Every problem is reported, each naming its variable:
//
//	config: SHUTDOWN_TIMEOUT: time: invalid duration "soon"; LOG_LEVEL: must be one of debug, info, warn, error
//
// When cfg embeds Common, LOG_LEVEL is validated and normalised to lower
// case. When cfg implements Validator, Validate runs last.
func Load(cfg any) error {
	return LoadFrom(cfg, nil)
}

// LoadFrom is Load reading from environ (variable name to value) instead of
// the process environment; nil means the process environment. Tests use it.
func LoadFrom(cfg any, environ map[string]string) error {
	var problems []error
	parseErr := env.ParseWithOptions(cfg, env.Options{Environment: environ})
	if parseErr != nil {
		problems = append(problems, describe(cfg, parseErr)...)
	}
	if c, ok := cfg.(interface{ common() *Common }); ok {
		if err := c.common().validateLogLevel(); err != nil {
			problems = append(problems, err)
		}
	}
	if v, ok := cfg.(Validator); ok && parseErr == nil {
		if err := v.Validate(); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("config: %w", joined(problems))
	}
	return nil
}

// common gives Load access to the Common embedded in a service's struct.
func (c *Common) common() *Common { return c }

func (c *Common) validateLogLevel() error {
	level := strings.ToLower(strings.TrimSpace(c.LogLevel))
	for _, l := range logLevels {
		if level == l {
			c.LogLevel = level
			return nil
		}
	}
	return fmt.Errorf("LOG_LEVEL: %q must be one of %s", c.LogLevel, strings.Join(logLevels, ", "))
}

// describe rewrites the errors of caarlos0/env so that each one starts with
// the name of the variable it is about (env names the Go field instead).
func describe(cfg any, err error) []error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return []error{err}
	}
	fields := envFields(cfg)
	out := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var (
			parseErr env.ParseError
			notSet   env.VarIsNotSetError
			empty    env.EmptyVarError
		)
		switch {
		case errors.As(e, &notSet):
			out = append(out, &varError{notSet.Key, "required but not set", e})
		case errors.As(e, &empty):
			out = append(out, &varError{empty.Key, "must not be empty", e})
		case errors.As(e, &parseErr):
			f, ok := fields.byGoName(parseErr.Name)
			switch {
			case !ok:
				out = append(out, &varError{"field " + parseErr.Name, parseErr.Err.Error(), e})
			case f.secret:
				// The cause usually quotes the value: keep it out of logs.
				out = append(out, &varError{f.key, "invalid value for " + parseErr.Type.String(), e})
			default:
				out = append(out, &varError{f.key, parseErr.Err.Error(), e})
			}
		default:
			out = append(out, e)
		}
	}
	return out
}

// varError is a problem with one variable, reading "KEY: message"; it
// unwraps to the error of caarlos0/env for errors.As.
type varError struct {
	key     string
	message string
	err     error
}

func (e *varError) Error() string { return e.key + ": " + e.message }

func (e *varError) Unwrap() error { return e.err }

// multiError joins errors with "; " so a start-up failure reads on one line.
type multiError []error

func joined(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return multiError(errs)
}

func (m multiError) Error() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (m multiError) Unwrap() []error { return m }

// field is one env-tagged leaf of a configuration struct.
type field struct {
	goName string
	key    string
	secret bool
	value  reflect.Value
}

type fieldList []field

func (l fieldList) byGoName(name string) (field, bool) {
	for _, f := range l {
		if f.goName == name {
			return f, true
		}
	}
	return field{}, false
}

// envFields walks cfg (a struct or a pointer to one), descending into
// embedded and nested structs, and lists every field that has an env name.
func envFields(cfg any) fieldList {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out fieldList
	collectFields(v, "", &out)
	return out
}

func collectFields(v reflect.Value, prefix string, out *fieldList) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := strings.Split(sf.Tag.Get("env"), ",")[0]
		if name == "-" {
			continue
		}
		if name == "" {
			// Like env, descend into struct and non-nil *struct fields.
			if fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				collectFields(fv, prefix+sf.Tag.Get("envPrefix"), out)
			}
			continue
		}
		*out = append(*out, field{
			goName: sf.Name,
			key:    prefix + name,
			secret: sf.Tag.Get("secret") == "true",
			value:  fv,
		})
	}
}
