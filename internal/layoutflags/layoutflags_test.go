package layoutflags

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func parse(t *testing.T, args ...string) *Flags {
	t.Helper()
	var f Flags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &f
}

// TestMapRepeats: every --map is kept, whether the columns come in one
// flag or in several, and a column mapped twice is a configuration error.
func TestMapRepeats(t *testing.T) {
	one, err := parse(t, "--preset", "transactions", "--map", "user_id=customer_id,event_time=date,amount=dollar_value").Layout()
	if err != nil {
		t.Fatal(err)
	}
	several, err := parse(t, "--preset", "transactions", "--map", "user_id=customer_id", "--map", "event_time=date", "--map", "amount=dollar_value").Layout()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"user_id", "event_time", "amount"} {
		if one.Columns[k] == "" || several.Columns[k] != one.Columns[k] {
			t.Errorf("%s: one --map gives %q, several give %q", k, one.Columns[k], several.Columns[k])
		}
	}
	if len(several.Columns) != len(one.Columns) {
		t.Errorf("several --map give %v, one gives %v", several.Columns, one.Columns)
	}
	_, err = parse(t, "--map", "user_id=a", "--map", "user_id=b").Layout()
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "user_id twice") {
		t.Errorf("user_id mapped by two --map flags: %v, want a *ConfigError naming user_id", err)
	}
}
