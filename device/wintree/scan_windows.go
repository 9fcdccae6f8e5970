//go:build windows

package wintree

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
)

// devpkeyDeviceParent is DEVPKEY_Device_Parent (devpkey.h): the parent's instance ID.
var devpkeyDeviceParent = windows.DEVPROPKEY{
	FmtID: windows.DEVPROPGUID{Data1: 0x4340a6c5, Data2: 0x93fa, Data3: 0x4706, Data4: [8]byte{0x97, 0x2c, 0x7b, 0x64, 0x80, 0x08, 0xa5, 0xa7}},
	PID:   8,
}

// devpkeyDriverInfPath and devpkeyDriverProvider are DEVPKEY_Device_DriverInfPath
// and DEVPKEY_Device_DriverProvider (devpkey.h): the INF that installed the
// driver and its provider.
var (
	devpkeyDriverInfPath = windows.DEVPROPKEY{
		FmtID: windows.DEVPROPGUID{Data1: 0xa8b865dd, Data2: 0x2e3d, Data3: 0x4094, Data4: [8]byte{0xad, 0x97, 0xe5, 0x93, 0xa7, 0x0c, 0x75, 0xd6}},
		PID:   5,
	}
	devpkeyDriverProvider = windows.DEVPROPKEY{
		FmtID: windows.DEVPROPGUID{Data1: 0xa8b865dd, Data2: 0x2e3d, Data3: 0x4094, Data4: [8]byte{0xad, 0x97, 0xe5, 0x93, 0xa7, 0x0c, 0x75, 0xd6}},
		PID:   9,
	}
)

// Scan lists the Apple USB devices present in the Windows device tree, with
// the services bound to them and to their interfaces. It opens no device:
// it reads what Windows already knows, so it works while Apple's driver
// owns the phone.
func Scan(ctx context.Context) ([]Device, error) {
	nodes, err := scanNodes(ctx)
	if err != nil {
		return nil, err
	}
	return Assemble(nodes), nil
}

// scanNodes reads every present node of the USB enumerator that belongs to
// Apple (the devices and their interfaces).
func scanNodes(ctx context.Context) ([]Node, error) {
	set, err := windows.SetupDiGetClassDevsEx(nil, "USB", 0, windows.DIGCF_ALLCLASSES|windows.DIGCF_PRESENT, 0, "")
	if err != nil {
		return nil, fmt.Errorf("wintree: list USB devices: %w", err)
	}
	defer set.Close()
	var nodes []Node
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := set.EnumDeviceInfo(i)
		if errors.Is(err, windows.ERROR_NO_MORE_ITEMS) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wintree: device %d: %w", i, err)
		}
		id, err := set.DeviceInstanceID(data)
		if err != nil || !strings.Contains(strings.ToUpper(id), `\VID_05AC&`) {
			continue
		}
		n := Node{InstanceID: id}
		if v, err := set.DeviceRegistryProperty(data, windows.SPDRP_SERVICE); err == nil {
			n.Service, _ = v.(string)
		}
		if v, err := set.DeviceRegistryProperty(data, windows.SPDRP_LOCATION_PATHS); err == nil {
			n.LocationPaths, _ = v.([]string)
		}
		if v, err := windows.SetupDiGetDeviceProperty(set, data, &devpkeyDeviceParent); err == nil {
			n.Parent, _ = v.(string)
		}
		if v, err := set.DeviceRegistryProperty(data, windows.SPDRP_LOWERFILTERS); err == nil {
			n.LowerFilters, _ = v.([]string)
		}
		if v, err := windows.SetupDiGetDeviceProperty(set, data, &devpkeyDriverInfPath); err == nil {
			n.DriverINF, _ = v.(string)
		}
		if v, err := windows.SetupDiGetDeviceProperty(set, data, &devpkeyDriverProvider); err == nil {
			n.DriverProvider, _ = v.(string)
		}
		var status, problem uint32
		if err := windows.CM_Get_DevNode_Status(&status, &problem, data.DevInst, 0); err == nil && status&windows.DN_HAS_PROBLEM != 0 {
			n.Problem = problem
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}
