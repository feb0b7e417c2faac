package output_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/demo"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
)

type contractColumn struct {
	name, typ string
	nullable  bool
	optional  bool
}

// readContract parses docs/outputs.md: a "## table" heading, then markdown
// tables of | `column` | type | nullable | unit | meaning |.
func readContract(t *testing.T) map[string][]contractColumn {
	t.Helper()
	f, err := os.Open("../docs/outputs.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([a-z0-9_<>]+)` \\| ([a-z0-9]+) \\| (yes|no) \\|[^|]*\\| (.*) \\|$")
	out := make(map[string][]contractColumn)
	table := ""
	optionalBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			table = strings.TrimPrefix(line, "## ")
			optionalBlock = false
			continue
		}
		if strings.HasPrefix(line, "Feature columns (optional") {
			optionalBlock = true
		}
		m := row.FindStringSubmatch(line)
		if m == nil || table == "" {
			continue
		}
		out[table] = append(out[table], contractColumn{name: m[1], typ: m[2], nullable: m[3] == "yes", optional: optionalBlock || strings.HasPrefix(m[4], "optional")})
	}
	return out
}

func parquetType(f parquet.Field) string {
	switch t := f.Type().String(); t {
	case "INT(64,true)", "INT64":
		return "int64"
	case "INT(32,true)", "INT32":
		return "int32"
	case "DOUBLE":
		return "double"
	case "BOOLEAN":
		return "boolean"
	case "STRING":
		return "string"
	case "BYTE_ARRAY":
		return "binary"
	case "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)":
		return "timestamp"
	case "DATE":
		return "date"
	default:
		return t
	}
}

func TestOutputsMatchTheContract(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo data set through the pipeline with integer, string and binary ids")
	}
	contract := readContract(t)
	for _, table := range []string{output.TableCustomers, output.TableClusters, output.TableMemberships, output.TableSegments, output.TableKSelection, output.TableMovement} {
		if len(contract[table]) == 0 {
			t.Fatalf("docs/outputs.md documents no columns of %s", table)
		}
	}
	// The feature list in the contract is the catalogue's.
	var documented []string
	for _, c := range contract[output.TableCustomers] {
		if c.optional {
			documented = append(documented, c.name)
		}
	}
	var catalogue []string
	for _, f := range features.Catalogue() {
		catalogue = append(catalogue, f.Name)
	}
	if strings.Join(documented, ",") != strings.Join(catalogue, ",") {
		t.Errorf("contract features %v, catalogue %v", documented, catalogue)
	}

	path, cleanup, err := demo.File()
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	dir := t.TempDir()
	// The demo's integer ids, and the same events with string and binary
	// ids: the id column's type follows the input's.
	inputs := []struct {
		idType string
		file   string
	}{{"int64", path}}
	for _, v := range idVariants {
		if v.name == "uuid strings" || v.name == "big-endian bytes" {
			p := filepath.Join(dir, strings.ReplaceAll(v.name, " ", "-")+".parquet")
			respell(t, path, p, v)
			typ := "string"
			if v.typ.ID() != arrow.STRING {
				typ = "binary"
			}
			inputs = append(inputs, struct {
				idType string
				file   string
			}{typ, p})
		}
	}
	for _, in := range inputs {
		t.Run(in.idType+" ids", func(t *testing.T) {
			first := filepath.Join(dir, in.idType, "first")
			if _, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: []string{in.file}, Out: first, Cluster: pipeline.ClusterOptions{StabilityBoots: 2}}); err != nil {
				t.Fatal(err)
			}
			second := filepath.Join(dir, in.idType, "second")
			if _, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: []string{in.file}, Out: second, Previous: first, Cluster: pipeline.ClusterOptions{StabilityBoots: 2}}); err != nil {
				t.Fatal(err)
			}
			checkContract(t, contract, second, in.idType)
		})
	}
}

// openParquet opens the Parquet file at path for the test's duration.
func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// checkContract compares every table of the run in dir with the contract;
// columns of type "id" must have type idType.
func checkContract(t *testing.T, contract map[string][]contractColumn, dir, idType string) {
	for table, cols := range contract {
		t.Run(table, func(t *testing.T) {
			pf := openParquet(t, filepath.Join(dir, table+".parquet"))
			if v, _ := pf.Lookup("segmint.schema_version"); v != output.SchemaVersion {
				t.Errorf("schema version %q", v)
			}
			have := make(map[string]parquet.Field)
			for _, fld := range pf.Schema().Fields() {
				have[fld.Name()] = fld
			}
			byName := make(map[string]contractColumn)
			for _, c := range cols {
				byName[c.name] = c
				fld, ok := have[c.name]
				if strings.Contains(c.name, "<") {
					continue // a pattern, checked below
				}
				if !ok {
					if !c.optional {
						t.Errorf("column %s is documented but missing", c.name)
					}
					continue
				}
				want := c.typ
				if want == "id" {
					want = idType
				}
				if got := parquetType(fld); got != want {
					t.Errorf("column %s: type %s, documented %s (%s)", c.name, got, c.typ, want)
				}
				if fld.Optional() != c.nullable {
					t.Errorf("column %s: nullable %v, documented %v", c.name, fld.Optional(), c.nullable)
				}
			}
			for name, fld := range have {
				if _, ok := byName[name]; ok {
					continue
				}
				if strings.HasPrefix(name, "mean_") && byName["mean_<feature>"].name != "" && features.Lookup(strings.TrimPrefix(name, "mean_")) != nil {
					if got := parquetType(fld); got != "double" {
						t.Errorf("column %s: type %s, want double", name, got)
					}
					continue
				}
				t.Errorf("column %s is in the file but not documented", name)
			}
		})
	}
}
