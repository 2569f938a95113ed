package validtext

import "testing"

func TestValidText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"office", true},
		{"等了很久\t第二行\r\n第三行", true},
		{"\uFFFD is a character like any other", true},
		{"of\x00fice", false},
		{"\x01", false},
		{"bell\a", false},
		{"esc\x1b[0m", false},
		{"\x7f", true}, // DEL is not a C0 control
		{"bad \xff byte", false},
		{"cut \xe4\xb8", false},
		{"overlong \xc0\xaf", false},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %v, want %v", c.in, got, c.want)
		}
		if got := Bytes([]byte(c.in)); got != c.want {
			t.Errorf("Bytes(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestValidTextDoesNotAllocate(t *testing.T) {
	s := "窗口人员态度很好，办事效率高 ok"
	b := []byte(s)
	if n := testing.AllocsPerRun(100, func() { _, _ = String(s), Bytes(b) }); n != 0 {
		t.Errorf("%v allocations per check, want 0", n)
	}
}
