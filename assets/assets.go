// Package assets embeds the project's data files: the model table, the step
// catalogue, the udev rule, the icon, the demo restore traces and the translations (lang/, go-i18n JSON
// bundles named <area>.<language>.json). Data, not code: adding an iPhone or
// rewording a step means editing a file here. It imports nothing of the project.
package assets

import "embed"

// FS holds every data file under assets/, addressed by their path below it
// (e.g. "models/models.json", "steps/catalog.json").
//
//go:embed models steps linux icon actions traces lang
var FS embed.FS
