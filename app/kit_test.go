package app

import "testing"

// Japanese and Chinese lines get no space after the number or mark: Fyne
// wraps only at spaces, and "1. " followed by a sentence without spaces
// left "1." alone on its line.
func TestBullets(t *testing.T) {
	for _, tt := range []struct {
		name  string
		lines []string
		mark  string
		want  string
	}{
		{"english numbered", []string{"Use a cable.", "Plug it in."}, "", "1. Use a cable.\n2. Plug it in."},
		{"english marks", []string{"Side button"}, "•", "• Side button"},
		{"japanese numbered", []string{"状態の良いケーブルを使ってください。", "USB接続を確認してください。"}, "", "1．状態の良いケーブルを使ってください。\n2．USB接続を確認してください。"},
		{"chinese marks", []string{"按一下调高音量按钮。"}, "•", "•按一下调高音量按钮。"},
		{"japanese starting with a latin word", []string{"iPhone を接続してください。"}, "", "1. iPhone を接続してください。"},
		{"korean keeps its spaces", []string{"케이블을 확인하세요."}, "", "1. 케이블을 확인하세요."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := bullets(tt.lines, tt.mark); got != tt.want {
				t.Errorf("bullets(%q, %q) = %q, want %q", tt.lines, tt.mark, got, tt.want)
			}
		})
	}
}
