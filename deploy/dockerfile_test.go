package deploy_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// image is how one of Mercato's images is built: its Dockerfile, the
// build arguments that select what it holds, and the path of its binary.
type image struct {
	Dockerfile string
	Args       map[string]string
	Binary     string
}

// images are every image Mercato ships, by name (mercato-<name>): the
// services from the one root Dockerfile, the Stripe emulator from its own.
var images = serviceImages()

func serviceImages() map[string]image {
	out := map[string]image{
		"stripe-emulator": {Dockerfile: "devstack/Dockerfile.stripe-emulator", Binary: "/app/stripe-emulator"},
	}
	for _, svc := range services {
		out[svc] = image{
			Dockerfile: "Dockerfile",
			Args:       map[string]string{"SERVICE": svc, "PORT": strconv.Itoa(servicePorts[svc])},
			Binary:     "/app/service",
		}
	}
	return out
}

// facts reads the image's Dockerfile with its build arguments.
func (img image) facts(t testing.TB) dockerfileFacts {
	t.Helper()
	return dockerfileFactsOf(readRepoFile(t, img.Dockerfile), img.Args)
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd  string // upper case: FROM, RUN, ...
	Args string
}

// parseDockerfile splits a Dockerfile into instructions (comments and
// parser directives dropped, backslash continuations joined).
func parseDockerfile(src string) []instruction {
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// dockerfileFacts are the properties of one Dockerfile the tests check.
type dockerfileFacts struct {
	BaseImages  []string // FROM images with ARG defaults substituted
	FinalImage  string
	FinalUser   string
	BuildLine   string // the RUN that holds `go build`
	Package     string // its ./path package argument
	Expose      []string
	Env         map[string]string // ENV of the final stage
	Healthcheck string
	Entrypoint  string
	Labels      string
	Args        map[string]bool
	Copies      []string // COPY arguments of the final stage
}

var (
	argRef       = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	buildPackage = regexp.MustCompile(`go build .*?(\./[A-Za-z0-9_./-]+)\s*$`)
)

// dockerfileFactsOf reads a Dockerfile as built with buildArgs: ARG values
// (a build argument, else the default) are substituted where Docker
// substitutes them (FROM, RUN, ENV, EXPOSE, COPY); LABELs stay as written.
func dockerfileFactsOf(src string, buildArgs map[string]string) dockerfileFacts {
	f := dockerfileFacts{Env: map[string]string{}, Args: map[string]bool{}}
	values := map[string]string{}
	expand := func(s string) string {
		return argRef.ReplaceAllStringFunc(s, func(m string) string { return values[argRef.FindStringSubmatch(m)[1]] })
	}
	for _, in := range parseDockerfile(src) {
		switch in.Cmd {
		case "ARG":
			name, def, _ := strings.Cut(in.Args, "=")
			f.Args[name] = true
			if v, ok := buildArgs[name]; ok {
				values[name] = v
			} else if _, seen := values[name]; !seen || def != "" {
				values[name] = def
			}
		case "FROM":
			image := expand(strings.Fields(in.Args)[0])
			f.BaseImages = append(f.BaseImages, image)
			f.FinalImage, f.FinalUser, f.Env, f.Expose, f.Copies = image, "", map[string]string{}, nil, nil
		case "USER":
			f.FinalUser = in.Args
		case "RUN":
			if strings.Contains(in.Args, "go build") {
				f.BuildLine = expand(in.Args)
				if m := buildPackage.FindStringSubmatch(f.BuildLine); m != nil {
					f.Package = m[1]
				}
			}
		case "EXPOSE":
			f.Expose = append(f.Expose, strings.Fields(expand(in.Args))...)
		case "ENV":
			for _, kv := range strings.Fields(expand(in.Args)) {
				k, v, _ := strings.Cut(kv, "=")
				f.Env[k] = v
			}
		case "COPY":
			f.Copies = append(f.Copies, expand(in.Args))
		case "HEALTHCHECK":
			f.Healthcheck = in.Args
		case "ENTRYPOINT":
			f.Entrypoint = in.Args
		case "LABEL":
			f.Labels += in.Args + " "
		}
	}
	return f
}

// isMainPackageDir reports whether dir holds a Go main package.
func isMainPackageDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// execForm decodes an exec-form (JSON array) command, or returns nil.
func execForm(s string) []string {
	var argv []string
	if json.Unmarshal([]byte(s), &argv) != nil {
		return nil
	}
	return argv
}

func TestDockerfilesBuildAnExistingMainAndRunAsNonRoot(t *testing.T) {
	root := repoRoot(t)
	for name, img := range images {
		t.Run(name, func(t *testing.T) {
			f := img.facts(t)
			for _, img := range f.BaseImages {
				if err := checkImageTag(img); err != "" {
					t.Errorf("FROM %s: %s", img, err)
				}
			}
			if f.Package == "" {
				t.Fatalf("no `go build ... ./path` found (RUN: %q)", f.BuildLine)
			}
			if !isMainPackageDir(filepath.Join(root, filepath.FromSlash(f.Package))) {
				t.Errorf("go build %s: no main package there", f.Package)
			}
			for _, flag := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w"} {
				if !strings.Contains(f.BuildLine, flag) {
					t.Errorf("go build without %s", flag)
				}
			}
			if !strings.HasPrefix(f.FinalImage, "gcr.io/distroless/static") {
				t.Errorf("final image %s, want distroless static", f.FinalImage)
			}
			if !strings.HasSuffix(f.FinalImage, ":nonroot") && !strings.HasPrefix(f.FinalUser, "nonroot") && !strings.HasPrefix(f.FinalUser, "65532") {
				t.Errorf("final stage runs as root (image %s, USER %q)", f.FinalImage, f.FinalUser)
			}
			if f.FinalUser == "" || strings.HasPrefix(f.FinalUser, "root") || strings.HasPrefix(f.FinalUser, "0") {
				t.Errorf("USER %q: set a non-root user explicitly", f.FinalUser)
			}
			app := img.Binary
			if len(f.Copies) == 0 || !strings.HasSuffix(f.Copies[len(f.Copies)-1], " "+app) {
				t.Errorf("the final stage's last COPY %v does not put the binary at %s", f.Copies, app)
			}
			if argv := execForm(f.Entrypoint); len(argv) != 1 || argv[0] != app {
				t.Errorf("ENTRYPOINT %s, want [%q] (exec form)", f.Entrypoint, app)
			}
			_, hc, _ := strings.Cut(f.Healthcheck, "CMD ")
			if argv := execForm(strings.TrimSpace(hc)); len(argv) != 2 || argv[0] != app || argv[1] != "healthcheck" {
				t.Errorf("HEALTHCHECK %q, want CMD [%q, \"healthcheck\"] (exec form, no shell)", f.Healthcheck, app)
			}
			if !f.Args["VERSION"] || !strings.Contains(f.Labels, `org.opencontainers.image.version="${VERSION}"`) {
				t.Errorf("the version must be a build argument and the org.opencontainers.image.version label")
			}
			if len(f.Expose) != 1 {
				t.Errorf("EXPOSE %v: want the one service port", f.Expose)
			}
		})
	}
}

func TestMakeImagesBuildsEveryServiceWithItsPort(t *testing.T) {
	m := regexp.MustCompile(`(?m)^IMAGES := (.*)$`).FindStringSubmatch(readRepoFile(t, "Makefile"))
	if m == nil {
		t.Fatal("Makefile has no IMAGES := line")
	}
	got := map[string]string{}
	for _, pair := range strings.Fields(m[1]) {
		svc, port, _ := strings.Cut(pair, ":")
		got[svc] = port
	}
	for _, svc := range services {
		if want := images[svc].Args["PORT"]; got[svc] != want {
			t.Errorf("make images builds %s with PORT=%q, want %s", svc, got[svc], want)
		}
	}
	if len(got) != len(services) {
		t.Errorf("make images builds %v, want exactly %v", got, services)
	}
}

func TestDockerfileParserFindsTheBuiltPackage(t *testing.T) {
	src := "ARG V=1.2\nFROM golang:${V} AS b\nARG S\n# c\nRUN a \\\n  && CGO_ENABLED=0 go build \\\n   -o /x ./${S}/cmd/x\nFROM scratch\nARG P=1\nEXPOSE ${P}\nUSER 65532\n"
	f := dockerfileFactsOf(src, map[string]string{"S": "svc", "P": "8083"})
	if f.Package != "./svc/cmd/x" || f.BaseImages[0] != "golang:1.2" || f.FinalUser != "65532" || f.FinalImage != "scratch" ||
		len(f.Expose) != 1 || f.Expose[0] != "8083" {
		t.Errorf("parsed %+v", f)
	}
	if f := dockerfileFactsOf(src, nil); len(f.Expose) != 1 || f.Expose[0] != "1" {
		t.Errorf("defaults: EXPOSE %v", f.Expose)
	}
}

func TestDockerignoreKeepsDataGitAndTestsOut(t *testing.T) {
	patterns := map[string]bool{}
	for _, line := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns[line] = true
		}
	}
	for _, must := range []string{".git", ".data", ".env", "**/*_test.go"} {
		if !patterns[must] {
			t.Errorf(".dockerignore lacks %q", must)
		}
	}
	// What the workspace build needs must stay in the context.
	needed := []string{"go.work", "go.work.sum"}
	for _, dir := range goWorkUses(t) {
		needed = append(needed, dir, dir+"/go.mod", dir+"/go.sum")
	}
	for p := range patterns {
		for _, n := range needed {
			if ok, _ := filepath.Match(p, n); ok || p == n {
				t.Errorf(".dockerignore pattern %q excludes %s, which the build needs", p, n)
			}
		}
	}
}

// goWorkUses lists the module directories go.work uses ("platform", ...).
func goWorkUses(t *testing.T) []string {
	t.Helper()
	var dirs []string
	re := regexp.MustCompile(`(?m)^\s*(?:use\s+)?\./([A-Za-z0-9_./-]+)\s*$`)
	for _, m := range re.FindAllStringSubmatch(readRepoFile(t, "go.work"), -1) {
		dirs = append(dirs, m[1])
	}
	if len(dirs) == 0 {
		t.Fatal("go.work lists no modules")
	}
	return dirs
}

var linkerSetVar = regexp.MustCompile(`-X ([A-Za-z0-9_./-]+)\.([A-Za-z_][A-Za-z0-9_]*)=`)

func TestDockerfileVersionStampTargetsAStringVariable(t *testing.T) {
	root := repoRoot(t)
	for rel, img := range images {
		f := img.facts(t)
		for _, m := range linkerSetVar.FindAllStringSubmatch(f.BuildLine, -1) {
			pkgPath, name := m[1], m[2]
			dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(pkgPath, modulePrefix)))
			if pkgPath == "main" {
				dir = filepath.Join(root, filepath.FromSlash(f.Package))
			}
			if !declaresPackageVar(dir, name) {
				// The linker ignores -X of a missing variable silently.
				t.Errorf("%s: -X %s.%s: no such package-level variable in %s", rel, pkgPath, name, dir)
			}
		}
	}
}

// declaresPackageVar reports whether the Go package in dir declares a
// package-level variable called name.
func declaresPackageVar(dir, name string) bool {
	pkg, err := newConfigReader(dir).load(dir)
	if err != nil {
		return false
	}
	for _, f := range pkg.files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if id.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// servicePackage is the import path of the common main that gives every
// service its `healthcheck` subcommand.
const servicePackage = modulePrefix + "platform/service"

func TestHealthcheckSubcommandExists(t *testing.T) {
	root := repoRoot(t)
	for rel, img := range images {
		f := img.facts(t)
		mainDir := filepath.Join(root, filepath.FromSlash(f.Package))
		dirs := []string{mainDir}
		if importsPackage(t, mainDir, servicePackage) {
			dirs = append(dirs, filepath.Join(root, "platform", "service"))
		}
		found := false
		for _, dir := range dirs {
			if hasStringLiteral(t, dir, "healthcheck") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: HEALTHCHECK runs `%s healthcheck`, but neither %s nor platform/service handles a \"healthcheck\" argument",
				rel, filepath.Base(f.Package), f.Package)
		}
	}
}

func importsPackage(t *testing.T, dir, path string) bool {
	t.Helper()
	pkg, err := newConfigReader(dir).load(dir)
	if err != nil {
		return false
	}
	for _, f := range pkg.files {
		if importPath(f, path[strings.LastIndex(path, "/")+1:]) == path {
			return true
		}
	}
	return false
}

func hasStringLiteral(t *testing.T, dir, value string) bool {
	t.Helper()
	pkg, err := newConfigReader(dir).load(dir)
	if err != nil {
		return false
	}
	found := false
	for _, f := range pkg.files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && lit.Value == `"`+value+`"` {
				found = true
			}
			return !found
		})
	}
	return found
}
