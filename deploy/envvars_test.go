package deploy_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// modulePrefix is the import path prefix of the workspace's modules; an
// import under it is resolved to a directory of this repository.
const modulePrefix = "github.com/mercato-shop/mercato/"

// envVar is one environment variable a service's configuration reads.
type envVar struct {
	Name string
	// MustSet is true when the struct field has no envDefault or is
	// ",required": the deployment has to set it.
	MustSet bool
	// Default is the envDefault value ("" without one).
	Default string
}

// serviceConfig is what a service's main declares, found by reading its source.
type serviceConfig struct {
	// Vars by name.
	Vars map[string]envVar
	// DefaultAddr is the service.Spec DefaultAddr literal, e.g. ":8081".
	DefaultAddr string
}

// mustSetNames lists, sorted, the variables the deployment has to set.
func (c serviceConfig) mustSetNames() []string {
	var names []string
	for _, v := range c.Vars {
		if v.MustSet {
			names = append(names, v.Name)
		}
	}
	sort.Strings(names)
	return names
}

// goPackage is the parsed non-test files of one directory.
type goPackage struct {
	dir   string
	files []*ast.File
}

// configReader discovers env variables from Go source with go/ast: the
// service's Config struct, the structs it embeds (platform/config's Common,
// Mongo, Kafka, Auth, or its own), and nested struct fields.
type configReader struct {
	root     string
	fset     *token.FileSet
	packages map[string]*goPackage
}

func newConfigReader(root string) *configReader {
	return &configReader{root: root, fset: token.NewFileSet(), packages: map[string]*goPackage{}}
}

func (r *configReader) load(dir string) (*goPackage, error) {
	if p, ok := r.packages[dir]; ok {
		return p, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read package dir: %w", err)
	}
	p := &goPackage{dir: dir}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(r.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.files = append(p.files, f)
	}
	r.packages[dir] = p
	return p, nil
}

// readService reads <svc>/cmd/<svc>.
func (r *configReader) readService(svc string) (serviceConfig, error) {
	dir := filepath.Join(r.root, svc, "cmd", svc)
	pkg, err := r.load(dir)
	if err != nil {
		return serviceConfig{}, err
	}
	cfg := serviceConfig{Vars: map[string]envVar{}}
	st, file, err := r.findStruct(pkg, "Config")
	if err != nil {
		return serviceConfig{}, err
	}
	if err := r.collect(pkg, file, st, "", cfg.Vars); err != nil {
		return serviceConfig{}, err
	}
	cfg.DefaultAddr = findDefaultAddr(pkg)
	return cfg, nil
}

func (r *configReader) findStruct(pkg *goPackage, name string) (*ast.StructType, *ast.File, error) {
	for _, f := range pkg.files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if ts.Name.Name != name {
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return nil, nil, fmt.Errorf("%s.%s is not a struct", pkg.dir, name)
				}
				return st, f, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("no struct %s in %s", name, pkg.dir)
}

// collect adds the env variables of st's fields (with prefix) to vars.
func (r *configReader) collect(pkg *goPackage, file *ast.File, st *ast.StructType, prefix string, vars map[string]envVar) error {
	for _, field := range st.Fields.List {
		tag := reflect.StructTag("")
		if field.Tag != nil {
			unquoted, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				return fmt.Errorf("field tag %s: %w", field.Tag.Value, err)
			}
			tag = reflect.StructTag(unquoted)
		}
		envTag, hasEnv := tag.Lookup("env")
		if hasEnv {
			parts := strings.Split(envTag, ",")
			if parts[0] == "-" {
				continue
			}
			if parts[0] != "" {
				def, hasDefault := tag.Lookup("envDefault")
				required := contains(parts[1:], "required") || contains(parts[1:], "notEmpty")
				name := prefix + parts[0]
				vars[name] = envVar{Name: name, MustSet: required || !hasDefault, Default: def}
				continue
			}
		}
		// No env name: a nested or embedded struct is read field by field.
		nestedPkg, nestedFile, nested, err := r.resolveStruct(pkg, file, field.Type)
		if err != nil {
			return err
		}
		if nested == nil {
			continue
		}
		if err := r.collect(nestedPkg, nestedFile, nested, prefix+tag.Get("envPrefix"), vars); err != nil {
			return err
		}
	}
	return nil
}

// resolveStruct finds the struct a field's type names: a local type, or one
// of another package of this repository. Other types yield nil.
func (r *configReader) resolveStruct(pkg *goPackage, file *ast.File, expr ast.Expr) (*goPackage, *ast.File, *ast.StructType, error) {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return r.resolveStruct(pkg, file, t.X)
	case *ast.StructType:
		return pkg, file, t, nil
	case *ast.Ident:
		st, f, err := r.findStruct(pkg, t.Name)
		if err != nil {
			return nil, nil, nil, nil // a builtin or non-struct type
		}
		return pkg, f, st, nil
	case *ast.SelectorExpr:
		pkgIdent, ok := t.X.(*ast.Ident)
		if !ok {
			return nil, nil, nil, nil
		}
		path := importPath(file, pkgIdent.Name)
		if !strings.HasPrefix(path, modulePrefix) {
			return nil, nil, nil, nil // time.Duration, url.URL, ...
		}
		other, err := r.load(filepath.Join(r.root, filepath.FromSlash(strings.TrimPrefix(path, modulePrefix))))
		if err != nil {
			return nil, nil, nil, err
		}
		st, f, err := r.findStruct(other, t.Sel.Name)
		if err != nil {
			return nil, nil, nil, nil
		}
		return other, f, st, nil
	}
	return nil, nil, nil, nil
}

// importPath returns the path imported as name in file ("" if none).
func importPath(file *ast.File, name string) string {
	for _, imp := range file.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		local := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if local == name {
			return path
		}
	}
	return ""
}

// findDefaultAddr returns the string literal of a DefaultAddr key in a
// composite literal (service.Spec{DefaultAddr: ":8081"}), or "".
func findDefaultAddr(pkg *goPackage) string {
	var addr string
	for _, f := range pkg.files {
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			key, ok := kv.Key.(*ast.Ident)
			if !ok || key.Name != "DefaultAddr" {
				return true
			}
			if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				addr, _ = strconv.Unquote(lit.Value)
			}
			return true
		})
	}
	return addr
}

// readAllServiceConfigs reads every service's configuration, failing the test
// on a service whose source cannot be read.
func readAllServiceConfigs(t *testing.T) map[string]serviceConfig {
	t.Helper()
	r := newConfigReader(repoRoot(t))
	out := map[string]serviceConfig{}
	for _, svc := range services {
		cfg, err := r.readService(svc)
		if err != nil {
			t.Fatalf("%s: %v", svc, err)
		}
		out[svc] = cfg
	}
	return out
}

// portOf returns the port of a listen address like ":8081".
func portOf(addr string) (int, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return 0, fmt.Errorf("address %q has no port", addr)
	}
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil {
		return 0, fmt.Errorf("address %q: %w", addr, err)
	}
	return p, nil
}

func TestConfigDiscoveryReadsServiceSource(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	for _, svc := range services {
		cfg := cfgs[svc]
		// Every service embeds config.Common: HTTP_ADDR (no envDefault) and
		// LOG_LEVEL (with one) prove the embedded struct was followed.
		if v, ok := cfg.Vars["HTTP_ADDR"]; !ok || !v.MustSet {
			t.Errorf("%s: HTTP_ADDR not discovered as a variable without default: %+v", svc, cfg.Vars)
		}
		if v, ok := cfg.Vars["LOG_LEVEL"]; !ok || v.MustSet {
			t.Errorf("%s: LOG_LEVEL not discovered as a variable with default", svc)
		}
		if _, err := portOf(cfg.DefaultAddr); err != nil {
			t.Errorf("%s: DefaultAddr: %v", svc, err)
		}
	}
	for _, svc := range servicesWithStore {
		if _, ok := cfgs[svc].Vars["MONGO_URI"]; !ok {
			t.Errorf("%s: MONGO_URI (config.Mongo) not discovered", svc)
		}
		if _, ok := cfgs[svc].Vars["KAFKA_BROKERS"]; !ok {
			t.Errorf("%s: KAFKA_BROKERS (config.Kafka) not discovered", svc)
		}
	}
}

func TestConfigDiscoveryHandlesTagsAndNesting(t *testing.T) {
	dir := t.TempDir()
	src := `package main

import cfgpkg "github.com/mercato-shop/mercato/platform/config"

type Inner struct {
	Key string ` + "`env:\"KEY,required\" envDefault:\"x\"`" + `
	TTL string ` + "`env:\"TTL\" envDefault:\"1m\"`" + `
}

type Config struct {
	cfgpkg.Common
	Skipped string ` + "`env:\"-\"`" + `
	Name    string ` + "`env:\"NAME\"`" + `
	Port    int    ` + "`env:\"PORT\" envDefault:\"\"`" + `
	Stripe  *Inner ` + "`envPrefix:\"STRIPE_\"`" + `
}
`
	if err := os.MkdirAll(filepath.Join(dir, "svc", "cmd", "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "svc", "cmd", "svc", "main.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	// The platform/config of the real repository, copied under the fake root.
	platformSrc := readRepoFile(t, "platform/config/config.go")
	if err := os.MkdirAll(filepath.Join(dir, "platform", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "platform", "config", "config.go"), []byte(platformSrc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := newConfigReader(dir).readService("svc")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"HTTP_ADDR": true, "LOG_LEVEL": false, "NAME": true, "PORT": false, "STRIPE_KEY": true, "STRIPE_TTL": false}
	for name, mustSet := range want {
		v, ok := cfg.Vars[name]
		if !ok {
			t.Errorf("%s not discovered (have %v)", name, cfg.Vars)
			continue
		}
		if v.MustSet != mustSet {
			t.Errorf("%s: MustSet = %v, want %v", name, v.MustSet, mustSet)
		}
	}
	if _, ok := cfg.Vars["Skipped"]; ok {
		t.Error(`env:"-" field was collected`)
	}
}
