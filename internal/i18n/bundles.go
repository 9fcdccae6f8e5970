package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Message is one entry of a bundle file as a translator sees it: its
// description (context for the translator, English files only) and its
// plural forms ("other" alone for a message without plurals).
type Message struct {
	ID          string
	Description string
	Forms       map[string]string
}

// pluralKeys are go-i18n's plural form names.
var pluralKeys = []string{"zero", "one", "two", "few", "many", "other"}

// ReadFile parses one bundle file into its messages, by ID. It accepts
// go-i18n's two shapes: "id": "text" and "id": {"description": …,
// "one": …, "other": …}.
func ReadFile(fsys fs.FS, name string) (map[string]Message, error) {
	data, err := fs.ReadFile(fsys, path.Join(BundleDir, name))
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make(map[string]Message, len(raw))
	for id, v := range raw {
		m := Message{ID: id, Forms: map[string]string{}}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			m.Forms["other"] = s
			out[id] = m
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, fmt.Errorf("%s: message %q: want a string or an object of strings: %w", name, id, err)
		}
		for k, v := range obj {
			switch k {
			case "description":
				m.Description = v
			case "hash", "leftDelim", "rightDelim":
			default:
				m.Forms[k] = v
			}
		}
		out[id] = m
	}
	return out, nil
}

// Area and language of a bundle file name "<area>.<code>.json".
func SplitName(name string) (area, code string, ok bool) {
	base := strings.TrimSuffix(name, ".json")
	i := strings.Index(base, ".")
	if i <= 0 || base == name {
		return "", "", false
	}
	return base[:i], base[i+1:], true
}

// Areas lists the areas that have an English bundle, sorted.
func Areas(fsys fs.FS) ([]string, error) {
	files, err := BundleFiles(fsys)
	if err != nil {
		return nil, err
	}
	var areas []string
	for _, f := range files {
		if a, c, ok := SplitName(f); ok && c == "en" {
			areas = append(areas, a)
		}
	}
	sort.Strings(areas)
	return areas, nil
}

var placeholderRE = regexp.MustCompile(`\{\{[^}]*\}\}`)

// Placeholders returns the template actions of text, sorted and
// de-duplicated ("{{.Count}}", "{{.Host}}").
func Placeholders(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range placeholderRE.FindAllString(text, -1) {
		p = strings.Join(strings.Fields(p), "")
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
