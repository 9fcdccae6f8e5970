package model_test

import (
	"fmt"

	"github.com/restoredoctor/restoredoctor/device/model"
)

// A phone in normal mode is looked up by lockdownd's ProductType.
func ExampleByProductType() {
	m := model.ByProductType("iPhone10,4")
	fmt.Println(m.Name, m.HardwareModel, m.Family)
	fmt.Println(model.ByProductType("iPhone99,1").Name)
	// Output:
	// iPhone 8 d201ap face-id-or-8-later
	// Unknown Apple device (iPhone99,1)
}

// A phone in recovery or DFU mode is looked up by the CPID and BDID of its
// iBoot serial string ("CPID:8110 … BDID:0E …").
func ExampleByChipHex() {
	m := model.ByChipHex("8110", "0E")
	fmt.Println(m.ProductType, m.Name, m.Family)
	fmt.Println(model.ByChipHex("8110", "7E").Name)
	// Output:
	// iPhone14,3 iPhone 13 Pro Max face-id-or-8-later
	// Unknown Apple device (CPID 0x8110, BDID 0x7E)
}
