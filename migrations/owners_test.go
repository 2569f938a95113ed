package migrations_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// Each table is written by one package, its owner, named in the header of the migration that
// creates it (`-- owner <package>: <tables>`); every other package calls the owner. This test
// reads the owners from the migrations, then every non-test Go file of the module, and fails on
// a write to a table from anywhere but its owner:
//
//   - SQL in string literals: INSERT INTO, UPDATE, DELETE FROM, TRUNCATE and COPY naming the
//     table (a statement built by concatenation is seen in the literal that names its table);
//   - COPY through pgx: the pgx.Identifier{"table"} of a CopyFrom call;
//   - gorm: a write method of *gorm.DB (Create, Save, Updates, Delete, …) given a model, whose
//     table is its TableName() (read from the method's source) or gorm's name for its type.
//
// A CopyFrom whose table is a variable fails the test (it cannot be checked); SQL built from a
// variable naming the table it cannot see at all: name tables in literals.

var ownerLine = regexp.MustCompile(`^-- owner ([a-z/]+): (.+)$`)

// owners reads table → owning package (its path below the module) from the migrations.
func owners(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, line := range strings.Split(string(raw), "\n") {
			m := ownerLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			named = true
			for _, table := range strings.Split(m[2], ",") {
				table = strings.Fields(strings.TrimSpace(table))[0]
				if prev, ok := out[table]; ok && prev != m[1] {
					t.Errorf("%s: table %s owned by %s and %s", f, table, prev, m[1])
				}
				out[table] = m[1]
			}
		}
		if !named {
			t.Errorf("%s names no owner (a line `-- owner <package>: <tables>`)", f)
		}
	}
	return out
}

// sqlWrite matches a write statement as this code base writes SQL: keywords in capitals (so
// that "update user %s" in an error message is not one). A locking clause (FOR UPDATE, FOR NO
// KEY UPDATE) is not a write; see lockingClause.
var sqlWrite = regexp.MustCompile(`(?s)\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY)\s+("?[a-z_]+"?)(\s*(?:\(|FROM\b))?`)

var lockingClause = regexp.MustCompile(`(FOR|KEY)\s+$`)

// write is one write found: the table, where, and by which package.
type write struct {
	table, pkg string
	at         token.Position
}

func TestEachTableIsWrittenByItsOwner(t *testing.T) {
	t.Parallel()
	own := owners(t)
	for table, pkg := range own {
		if _, err := os.Stat(filepath.Join("..", pkg)); err != nil {
			t.Errorf("table %s: owner %s is not a package of the module", table, pkg)
		}
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
		packages.NeedTypesInfo, Dir: "..", Tests: false}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	var found []write
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("load %s: %v", p.PkgPath, e)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.PkgPath, "haochaping"), "/")
		found = append(found, sqlWrites(p, rel)...)
		found = append(found, gormWrites(p, rel, tableNames(pkgs))...)
	}
	// The scan sees each way of writing: SQL literals, pgx COPY, gorm models by TableName and
	// by gorm's own naming. If one of these goes missing, the scan is broken, not the code.
	for _, known := range []write{{table: "work_orders", pkg: "rectify"}, {table: "evaluations", pkg: "evaluation"},
		{table: "calendar_days", pkg: "calendar"}, {table: "ledger_deadlines", pkg: "ledger"},
		{table: "reason_set_versions", pkg: "evaluation"}} {
		if !slices.ContainsFunc(found, func(w write) bool { return w.table == known.table && w.pkg == known.pkg }) {
			t.Errorf("the scan did not find %s writing %s: it is broken", known.pkg, known.table)
		}
	}
	for _, w := range found {
		owner, ok := own[w.table]
		switch {
		case !ok && strings.HasPrefix(w.table, "goose_"):
		case !ok:
			t.Errorf("%s: %s writes %s, which no migration names an owner for", w.at, w.pkg, w.table)
		case owner != w.pkg:
			t.Errorf("%s: %s writes %s, which %s owns: call the owner", w.at, w.pkg, w.table, owner)
		}
	}
}

// sqlWrites finds the tables named by a write in the package's string literals and in its
// calls of pgx's CopyFrom.
func sqlWrites(p *packages.Package, rel string) []write {
	var out []write
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					return true
				}
				for _, m := range sqlWrite.FindAllStringSubmatchIndex(s, -1) {
					if m[2] >= 0 && lockingClause.MatchString(s[:m[2]]) {
						continue
					}
					if s[m[2]:m[3]] == "COPY" && m[6] < 0 { // COPY is a statement only as COPY t (…) FROM or COPY t FROM
						continue
					}
					table := strings.Trim(s[m[4]:m[5]], `"`)
					if !slices.Contains([]string{"set", "of", "only"}, table) {
						out = append(out, write{table: table, pkg: rel, at: p.Fset.Position(n.Pos())})
					}
				}
			case *ast.CallExpr: // COPY through pgx: tx.CopyFrom(ctx, pgx.Identifier{"table"}, columns, rows)
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "CopyFrom" || len(n.Args) < 2 {
					return true
				}
				table := "(a name computed at run time)" // which this test cannot check: name the table
				if id, ok := n.Args[1].(*ast.CompositeLit); ok && len(id.Elts) == 1 {
					if lit, ok := id.Elts[0].(*ast.BasicLit); ok {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							table = s
						}
					}
				}
				out = append(out, write{table: table, pkg: rel, at: p.Fset.Position(n.Pos())})
			}
			return true
		})
	}
	return out
}

var gormWriteMethods = []string{"Create", "CreateInBatches", "Save", "Updates", "Update", "UpdateColumn", "UpdateColumns",
	"Delete", "FirstOrCreate"}

// gormWrites finds the models given to a write method of *gorm.DB, and their tables.
func gormWrites(p *packages.Package, rel string, names map[*types.TypeName]string) []write {
	var out []write
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !slices.Contains(gormWriteMethods, sel.Sel.Name) || len(call.Args) == 0 {
				return true
			}
			recv, ok := p.TypesInfo.Types[sel.X]
			if !ok || !isNamed(recv.Type, "gorm.io/gorm", "DB") {
				return true
			}
			if arg, ok := p.TypesInfo.Types[call.Args[0]]; ok {
				if tn := modelOf(arg.Type); tn != nil {
					table, ok := names[tn]
					if !ok {
						table = gormTableName(tn.Name())
					}
					out = append(out, write{table: table, pkg: rel, at: p.Fset.Position(call.Pos())})
				}
			}
			return true
		})
	}
	return out
}

// tableNames reads, for every type of the module with a method TableName() string { return
// "…" }, the table it names.
func tableNames(pkgs []*packages.Package) map[*types.TypeName]string {
	out := map[*types.TypeName]string{}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Name.Name != "TableName" || fn.Recv == nil || fn.Body == nil || len(fn.Body.List) != 1 {
					continue
				}
				ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
				if !ok || len(ret.Results) != 1 {
					continue
				}
				lit, ok := ret.Results[0].(*ast.BasicLit)
				if !ok {
					continue
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					continue
				}
				if tn := modelOf(p.TypesInfo.TypeOf(fn.Recv.List[0].Type)); tn != nil {
					out[tn] = name
				}
			}
		}
	}
	return out
}

// modelOf is the named struct type behind T, *T, []T, []*T or *[]T.
func modelOf(t types.Type) *types.TypeName {
	for {
		switch u := t.(type) {
		case *types.Pointer:
			t = u.Elem()
			continue
		case *types.Slice:
			t = u.Elem()
			continue
		case *types.Named:
			if _, ok := u.Underlying().(*types.Struct); ok {
				return u.Obj()
			}
		}
		return nil
	}
}

func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg
}

// gormTableName is gorm's default table of a type: its name in snake case, plural.
func gormTableName(typ string) string {
	var b strings.Builder
	for i, r := range typ {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	name := b.String()
	if strings.HasSuffix(name, "s") {
		return name + "es"
	}
	return name + "s"
}
