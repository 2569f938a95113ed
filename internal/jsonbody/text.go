package jsonbody

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"haochaping/internal/problem"
	"haochaping/internal/validtext"
)

// checkText walks what Decode filled and refuses the first string that is not text (see
// package validtext), naming its JSON path. badUTF8 are the paths whose raw string in the body
// was not valid UTF-8 (nil when the body was): encoding/json decodes such a string quietly,
// with U+FFFD for each bad byte, so only the raw body tells a replacement from a U+FFFD the
// client meant. Bad bytes in what v does not keep — unknown fields, and json.RawMessage, which
// its owner decodes (and checks) later — are let be.
//
// When everything is text, the walk allocates nothing: the path is kept as a stack of parts
// and spelled out only for a refusal.
func checkText(v any, badUTF8 []string) *problem.Error {
	w := walkers.Get().(*textWalker)
	w.path, w.badUTF8 = w.path[:0], badUTF8
	err := w.walk(reflect.ValueOf(v))
	clear(w.path[:cap(w.path)]) // keep no strings of this body in the pool
	w.badUTF8 = nil
	walkers.Put(w)
	return err
}

// walkers keep their path stacks from one body to the next: a walk is recursive, so the
// compiler cannot keep the stack on the goroutine's own.
var walkers = sync.Pool{New: func() any { return &textWalker{path: make([]pathPart, 0, 8)} }}

type textWalker struct {
	path    []pathPart
	badUTF8 []string
}

// pathPart is one step of a JSON path: an object key, or an array index.
type pathPart struct {
	key     string
	index   int
	isIndex bool
}

func (w *textWalker) walk(v reflect.Value) *problem.Error {
	switch v.Kind() {
	case reflect.String:
		return w.text(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return w.walk(v.Elem())
	case reflect.Struct:
		for _, f := range textFields(v.Type()) {
			if f.name != "" {
				w.path = append(w.path, pathPart{key: f.name})
			}
			err := w.walk(v.Field(f.index))
			if f.name != "" {
				w.path = w.path[:len(w.path)-1]
			}
			if err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // []byte is base64 in JSON; json.RawMessage is decoded later by its owner
		}
		for i := 0; i < v.Len(); i++ {
			w.path = append(w.path, pathPart{index: i, isIndex: true})
			err := w.walk(v.Index(i))
			w.path = w.path[:len(w.path)-1]
			if err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() != reflect.String {
				continue // encoding/json allows integer keys only besides strings
			}
			w.path = append(w.path, pathPart{key: k.String()})
			err := w.text(k.String())
			if err == nil {
				err = w.walk(iter.Value())
			}
			w.path = w.path[:len(w.path)-1]
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// text checks one string at the current path.
func (w *textWalker) text(s string) *problem.Error {
	if !validtext.String(s) {
		return refuseText(w.pathString(), "含有控制字符（如 NUL）")
	}
	if w.badUTF8 != nil && strings.ContainsRune(s, utf8.RuneError) {
		path := w.pathString()
		for _, bad := range w.badUTF8 {
			// encoding/json matches keys to fields without regard to case; so does this.
			if strings.EqualFold(bad, path) {
				return refuseText(path, "不是有效的 UTF-8 文本")
			}
		}
	}
	return nil
}

func (w *textWalker) pathString() string { return joinPath(w.path) }

// joinPath spells a path as the answers name fields: keys joined by dots, indexes in
// brackets ("records[1].comment", "applicant.name").
func joinPath(parts []pathPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.isIndex {
			b.WriteString("[" + strconv.Itoa(p.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.key)
	}
	return b.String()
}

// refuseText is the refusal of a string that is not text: 422 invalid_text naming the field.
func refuseText(field, why string) *problem.Error {
	if field == "" {
		return problem.Invalid("invalid_text", "", "请求体"+why)
	}
	return problem.Invalid("invalid_text", field, "字段 "+field+" "+why)
}

// textField is a struct field that may hold text, as encoding/json sees it.
type textField struct {
	index int
	name  string // the JSON key; empty for an embedded struct, whose fields encoding/json flattens
}

var textFieldCache sync.Map // reflect.Type → []textField

// textFields lists the fields of struct type t that encoding/json fills and that may hold a
// string, so that the walk skips the rest (numbers, times, []byte) without looking.
func textFields(t reflect.Type) []textField {
	if f, ok := textFieldCache.Load(t); ok {
		return f.([]textField)
	}
	f := buildTextFields(t, map[reflect.Type]bool{})
	textFieldCache.Store(t, f)
	return f
}

func buildTextFields(t reflect.Type, visiting map[reflect.Type]bool) []textField {
	visiting[t] = true
	defer delete(visiting, t)
	var out []textField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		embedded := sf.Anonymous && name == "" && ft.Kind() == reflect.Struct
		if !sf.IsExported() && !embedded {
			continue
		}
		if !mayHoldText(sf.Type, visiting) {
			continue
		}
		switch {
		case embedded:
			name = ""
		case name == "":
			name = sf.Name
		}
		out = append(out, textField{index: i, name: name})
	}
	return out
}

// mayHoldText reports whether a value of type t can hold a string once decoded.
func mayHoldText(t reflect.Type, visiting map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer:
		return mayHoldText(t.Elem(), visiting)
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8 && mayHoldText(t.Elem(), visiting)
	case reflect.Map:
		return t.Key().Kind() == reflect.String || mayHoldText(t.Elem(), visiting)
	case reflect.Struct:
		if visiting[t] {
			return true // a type that holds itself: the walk stops where the value does
		}
		return len(buildTextFields(t, visiting)) > 0
	}
	return false
}
