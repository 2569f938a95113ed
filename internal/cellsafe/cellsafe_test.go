package cellsafe

import "testing"

func TestNeutralizeAndRestore(t *testing.T) {
	cases := map[string]string{
		"":                        "",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"+1":                      "'+1",
		"-1":                      "'-1",
		"@SUM(1)":                 "'@SUM(1)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"'quoted":                 "''quoted",
		"已建立差评核实机制":               "已建立差评核实机制",
		"1+1":                     "1+1",
	}
	for in, want := range cases {
		got := Neutralize(in)
		if got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if back := Restore(got); back != in {
			t.Errorf("Restore(Neutralize(%q)) = %q", in, back)
		}
	}
}
