package cli

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config files (--config FILE, TOML) hold the same options as the flags,
// under the flags' names:
//
//	events = ["dump/2019-*.parquet"]
//	preset = "rees46"
//	seed = 7
//
//	[run]
//	out = "/warehouse/segmint"
//	layout = "hive"
//
// Top-level keys apply to every command that has a flag of that name; a
// table named after a command ([run], [features], [cluster], [generate],
// [validate]) applies to that command only. Flags given on the command line
// override the file. A key that no command knows, or that the command's
// table names but the command lacks, is an error naming the key.

// commandFlags lists each command's flag names, so that a top-level key can
// be checked against all commands.
var commandFlags = map[string]func() *flag.FlagSet{}

func registerConfig(fs *flag.FlagSet, path *string) {
	fs.StringVar(path, "config", "", "read options from a TOML `FILE` (keys are flag names; flags given here override it)")
}

// applyConfig sets every flag of fs named in the config file that was not
// given on the command line.
func applyConfig(fs *flag.FlagSet, command, path string) error {
	if path == "" {
		return nil
	}
	var doc map[string]any
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		return &configError{fmt.Errorf("%s: %w", path, err)}
	}
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	set := func(key string, v any, strict bool) error {
		if key == "config" {
			return &configError{fmt.Errorf("%s: %q cannot be set in a config file", path, key)}
		}
		f := fs.Lookup(key)
		if f == nil {
			if strict || !knownAnywhere(key) {
				return &configError{fmt.Errorf("%s: unknown option %q for segmint %s", path, key, command)}
			}
			return nil // another command's option
		}
		if given[key] {
			return nil
		}
		values := []any{v}
		if list, ok := v.([]any); ok {
			values = list
		}
		for _, x := range values {
			if err := fs.Set(key, fmt.Sprint(x)); err != nil {
				return &configError{fmt.Errorf("%s: option %q: %v", path, key, err)}
			}
		}
		return nil
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The command's own table first: it overrides top-level keys.
	if tbl, ok := doc[command].(map[string]any); ok {
		sub := make([]string, 0, len(tbl))
		for k := range tbl {
			sub = append(sub, k)
		}
		sort.Strings(sub)
		for _, k := range sub {
			if err := set(k, tbl[k], true); err != nil {
				return err
			}
			given[k] = true
		}
	}
	for _, k := range keys {
		if _, isTable := doc[k].(map[string]any); isTable {
			if _, ok := commandFlags[k]; !ok {
				return &configError{fmt.Errorf("%s: unknown table [%s] (tables are command names: %s)", path, k, strings.Join(commandNames(), ", "))}
			}
			continue
		}
		if err := set(k, doc[k], false); err != nil {
			return err
		}
	}
	return nil
}

func knownAnywhere(key string) bool {
	for _, mk := range commandFlags {
		if mk().Lookup(key) != nil {
			return true
		}
	}
	return false
}

func commandNames() []string {
	var out []string
	for k := range commandFlags {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ = os.Stderr
