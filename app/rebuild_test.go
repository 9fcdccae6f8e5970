package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// A live event that changes a fact of the phone updates the value on the
// card in place and keeps the step cards: widgets are built again only
// when what they show changed.
func TestLiveEventsUpdateInPlace(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	card := h.u.steps.widgets[1]
	if card == nil {
		t.Fatal("no card for step 1")
	}
	rows := slices.Clone(h.u.phone.rows)
	objs := slices.Clone(h.u.steps.box.Objects)

	upd := phoneA
	upd.IOSVersion = "17.6"
	h.b.events <- DeviceEvent{Kind: EventUpdate, Source: "usbmux", Time: h.at, Device: upd}
	h.pump(func() bool { return h.u.st.Phones[phoneA.Key].Device.IOSVersion == "17.6" })

	if !slices.Contains(texts(h.u.Window().Content()), "17.6") {
		t.Errorf("the new iOS version is not shown: %q", texts(h.u.Window().Content()))
	}
	if !slices.Equal(rows, h.u.phone.rows) {
		t.Error("the device lines were built anew for a changed value")
	}
	if h.u.steps.widgets[1] != card || !slices.Equal(objs, h.u.steps.box.Objects) {
		t.Error("the step cards were built anew although they show the same")
	}

	// A change of what a card shows builds it anew.
	test.Tap(card.toggle)
	if h.u.steps.widgets[1] == card {
		t.Fatal("hiding step 1 kept the old card")
	}
	if got := h.u.steps.widgets[1].toggle.Text; got != "Show how" {
		t.Errorf("step 1's toggle says %q after hiding, want Show how", got)
	}
}

// The progress tick sets the strip four times a second: it is drawn again
// only when its marks or samples changed.
func TestStripRedrawsOnlyOnChange(t *testing.T) {
	test.NewTempApp(t)
	w := newStripWidget()
	st := viewmodel.Strip{Marks: []viewmodel.Mark{{X: 0.5, Kind: viewmodel.MarkDetach}}}
	w.set(st)
	r := test.WidgetRenderer(w)
	before := slices.Clone(r.Objects())
	w.set(st)
	if !slices.Equal(before, r.Objects()) {
		t.Error("the same strip was drawn anew")
	}
	st.Marks = append(slices.Clone(st.Marks), viewmodel.Mark{X: 0.7, Kind: viewmodel.MarkAttach})
	w.set(st)
	if got := len(r.Objects()); got != len(before)+1 {
		t.Errorf("a new mark left %d objects, want %d", got, len(before)+1)
	}
}
