package diagnostics

import (
	"maps"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// RedactUSBDevice returns d with its identifiers replaced by report.HashID,
// as reports redact them: the serial string (a UDID, or the whole iBoot
// string in recovery and DFU), and the recovery string's ECID, SRNM, IMEI,
// nonces and unknown keys. Chip and board ids stay: they name the model.
func RedactUSBDevice(d usb.Device) usb.Device {
	if d.Serial != "" {
		d.Serial = report.HashID(d.Serial)
	}
	if d.Recovery != nil {
		r := *d.Recovery
		for _, p := range []*string{&r.ECID, &r.SRNM, &r.IMEI, &r.NONC, &r.SNON} {
			if *p != "" {
				*p = report.HashID(*p)
			}
		}
		if r.Extra != nil {
			r.Extra = maps.Clone(r.Extra)
			for k, v := range r.Extra {
				r.Extra[k] = report.HashID(v)
			}
		}
		d.Recovery = &r
	}
	return d
}
