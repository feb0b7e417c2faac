package warehouse

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// contractPath is docs/outputs.md, from this package's directory.
const contractPath = "../../docs/outputs.md"

// duckDBType is the DuckDB type a reader sees for each contract type.
var duckDBType = map[string]string{
	"int64":     "BIGINT",
	"int32":     "INTEGER",
	"double":    "DOUBLE",
	"boolean":   "BOOLEAN",
	"string":    "VARCHAR",
	"binary":    "BLOB",
	"id":        "", // the input's id type: a run's idType
	"timestamp": "TIMESTAMP WITH TIME ZONE",
	"date":      "DATE",
}

// contractColumn is one documented column of an output table.
type contractColumn struct {
	Name     string // may hold <feature>, a pattern over the customers features
	Type     string // the contract's type: int64, int32, ...
	Nullable bool
	// Optional columns may be absent: the customers feature columns, and
	// columns whose meaning starts with "optional" or says "present when".
	Optional bool
	Line     int // in docs/outputs.md
}

// contract is docs/outputs.md parsed.
type contract struct {
	// SchemaVersion is the "Schema version: **N**" line's N.
	SchemaVersion string
	// MetadataKeys are the segmint.* keys of the "Key-value metadata of
	// every file" convention.
	MetadataKeys []string
	// Tables are the documented columns of each table, in document order.
	Tables map[string][]contractColumn
}

// contractRow is | `column` | type | nullable | unit | meaning |.
var contractRow = regexp.MustCompile("^\\| `([a-z0-9_<>]+)` \\| ([a-z0-9]+) \\| (yes|no) \\|[^|]*\\| (.*) \\|$")

var (
	schemaVersionLine = regexp.MustCompile(`^Schema version: \*\*([0-9]+)\*\*`)
	metadataKey       = regexp.MustCompile("`(segmint\\.[a-z_]+)`")
)

// parseContract reads the output contract: a "## table" heading, then
// markdown tables of | `column` | type | nullable | unit | meaning |.
// Headings without column rows (Conventions) are left out. It also reads
// the schema version and the list item of the key-value metadata keys.
func parseContract(r io.Reader, name string) (*contract, error) {
	c := &contract{Tables: make(map[string][]contractColumn)}
	table := ""
	featureBlock, metadataItem := false, false
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if m := schemaVersionLine.FindStringSubmatch(text); m != nil {
			c.SchemaVersion = m[1]
		}
		// The metadata item runs from its "- Key-value metadata" line to
		// the next item or blank line.
		if strings.HasPrefix(text, "- ") || strings.TrimSpace(text) == "" {
			metadataItem = strings.HasPrefix(text, "- Key-value metadata of every file")
		}
		if metadataItem {
			for _, m := range metadataKey.FindAllStringSubmatch(text, -1) {
				c.MetadataKeys = append(c.MetadataKeys, m[1])
			}
		}
		if h, ok := strings.CutPrefix(text, "## "); ok {
			table, featureBlock, metadataItem = strings.TrimSpace(h), false, false
			continue
		}
		if strings.HasPrefix(text, "Feature columns (optional") {
			featureBlock = true
			continue
		}
		m := contractRow.FindStringSubmatch(text)
		if m == nil {
			if strings.HasPrefix(text, "| `") {
				return nil, fmt.Errorf("%s:%d: a column row not of the form | `column` | type | yes/no | unit | meaning |: %q", name, line, text)
			}
			continue
		}
		if table == "" {
			return nil, fmt.Errorf("%s:%d: column %s before any \"## table\" heading", name, line, m[1])
		}
		if _, ok := duckDBType[m[2]]; !ok {
			return nil, fmt.Errorf("%s:%d: table %s, column %s: unknown contract type %q", name, line, table, m[1], m[2])
		}
		meaning := m[4]
		c.Tables[table] = append(c.Tables[table], contractColumn{
			Name:     m[1],
			Type:     m[2],
			Nullable: m[3] == "yes",
			Optional: featureBlock || strings.HasPrefix(meaning, "optional") || strings.Contains(meaning, "present when"),
			Line:     line,
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// readContract parses docs/outputs.md and checks it documents every table,
// the schema version and the metadata keys.
func readContract(t *testing.T) *contract {
	t.Helper()
	f, err := os.Open(contractPath)
	if err != nil {
		t.Fatalf("output contract: %v", err)
	}
	defer f.Close()
	c, err := parseContract(f, contractPath)
	if err != nil {
		t.Fatalf("output contract: %v", err)
	}
	for _, table := range allTables {
		if len(c.Tables[table]) == 0 {
			t.Fatalf("output contract %s documents no columns of table %s", contractPath, table)
		}
	}
	if c.SchemaVersion == "" {
		t.Fatalf("output contract %s: no \"Schema version: **N**\" line", contractPath)
	}
	if len(c.MetadataKeys) == 0 {
		t.Fatalf("output contract %s: no segmint.* keys in the \"Key-value metadata of every file\" item", contractPath)
	}
	return c
}

// features are the names of the customers feature columns.
func (c *contract) features() []string {
	var names []string
	for _, col := range c.Tables["customers"] {
		if col.Optional && col.Type == "double" && !strings.Contains(col.Name, "<") {
			names = append(names, col.Name)
		}
	}
	return names
}

// lookup returns the contract column that documents the column name of
// table, expanding <feature> patterns over the customers features.
func (c *contract) lookup(table, name string) (contractColumn, bool) {
	for _, col := range c.Tables[table] {
		if col.Name == name {
			return col, true
		}
	}
	for _, col := range c.Tables[table] {
		prefix, suffix, ok := strings.Cut(col.Name, "<feature>")
		if !ok || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) || len(name) < len(prefix)+len(suffix) {
			continue
		}
		feature := name[len(prefix) : len(name)-len(suffix)]
		for _, f := range c.features() {
			if f == feature {
				return col, true
			}
		}
	}
	return contractColumn{}, false
}

func TestParseContract(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    map[string][]string // table -> "name type nullable optional"
		wantKV  string              // schema version, then metadata keys
		wantErr string
	}{
		{
			name: "fixed and optional columns",
			doc: "# Output contract\nSchema version: **3** (in every file)\n## Conventions\n- `int64`\n" +
				"- Key-value metadata of every file: `segmint.schema_version`,\n  `segmint.run_id` and `segmint.as_of`\n  (RFC 3339).\n- Customer ids `segmint.not_a_key`\n" +
				"## customers\n| column | type | nullable | unit | meaning |\n|---|---|---|---|---|\n" +
				"| `customer_id` | int64 | no | id | the customer |\n" +
				"| `country` | string | yes | | country; present when the input has one |\n" +
				"Feature columns (optional: present when computable):\n" +
				"| `total_spend` | double | yes | currency | Sum. |\n" +
				"## clusters\n" +
				"| `previous_cluster` | int32 | no | id | optional, with `--previous` |\n" +
				"| `mean_<feature>` | double | yes | the feature's unit | optional: means |\n" +
				"| `as_of` | timestamp | no | | the run's as-of instant |\n",
			want: map[string][]string{
				"customers": {"customer_id int64 false false", "country string true true", "total_spend double true true"},
				"clusters":  {"previous_cluster int32 false true", "mean_<feature> double true true", "as_of timestamp false false"},
			},
			wantKV: "3 segmint.schema_version segmint.run_id segmint.as_of",
		},
		{
			name:    "unknown type",
			doc:     "## segments\n| `segment` | text | no | | the segment |\n",
			wantErr: "contract.md:2: table segments, column segment: unknown contract type \"text\"",
		},
		{
			name:    "malformed row",
			doc:     "## segments\n| `segment` | string | maybe | | the segment |\n",
			wantErr: "contract.md:2: a column row not of the form",
		},
		{
			name:    "column before a table",
			doc:     "| `segment` | string | no | | the segment |\n",
			wantErr: "contract.md:1: column segment before any",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseContract(strings.NewReader(tt.doc), "contract.md")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(append([]string{c.SchemaVersion}, c.MetadataKeys...), " "); got != tt.wantKV {
				t.Errorf("schema version and metadata keys %q, want %q", got, tt.wantKV)
			}
			if len(c.Tables) != len(tt.want) {
				t.Errorf("tables %d, want %d", len(c.Tables), len(tt.want))
			}
			for table, want := range tt.want {
				var got []string
				for _, col := range c.Tables[table] {
					got = append(got, fmt.Sprint(col.Name, " ", col.Type, " ", col.Nullable, " ", col.Optional))
				}
				if strings.Join(got, "; ") != strings.Join(want, "; ") {
					t.Errorf("table %s: columns\n%s\nwant\n%s", table, strings.Join(got, "; "), strings.Join(want, "; "))
				}
			}
			if col, ok := c.lookup("clusters", "mean_total_spend"); len(tt.want["clusters"]) > 0 && (!ok || col.Name != "mean_<feature>") {
				t.Errorf("lookup(clusters, mean_total_spend) = %v, %v; want mean_<feature>", col, ok)
			}
			if _, ok := c.lookup("clusters", "mean_unknown"); ok {
				t.Error("lookup(clusters, mean_unknown) found a column; want none")
			}
		})
	}
}
