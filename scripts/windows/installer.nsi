; Restore Doctor installer (NSIS 3). Per user, no administrator rights:
; installs into %LOCALAPPDATA%\Programs\Restore Doctor, adds a Start menu
; entry and an uninstaller registered under HKCU.
; makensis -DVERSION=0.1.0 -DDIST=dist/windows -DICON=icon.ico -DOUTFILE=setup.exe -DLANGNSH=lang.nsh installer.nsi
; LANGNSH is written by scripts/windows/nsislang (go run ./scripts/windows/nsislang -o lang.nsh): NSIS's
; own page translations for the ten languages Restore Doctor speaks and our strings, $(RD_…), from
; assets/lang/installer.<code>.json. The installer starts in the Windows display language (English when
; it is none of the ten); an interactive install first shows a language chooser with that one selected.
; The program is windows/amd64 only, so the installer is too (and Wine64 runs it).
Target amd64-unicode
!include "MUI2.nsh"

!define APP "Restore Doctor"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\RestoreDoctor"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
SetCompressor /SOLID lzma
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP}.exe"
!define MUI_FINISHPAGE_RUN_TEXT "$(RD_finish_run)"
!define MUI_FINISHPAGE_TEXT "$(RD_finish_text)"
!define MUI_DIRECTORYPAGE_TEXT_TOP "$(RD_dir_top)"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(RD_uninstall_top)"
; the language chooser: every language offered, the choice kept for the uninstaller
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_WINDOWTITLE "$(RD_lang_title)"
!define MUI_LANGDLL_INFO "$(RD_lang_info)"
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "${UNINSTKEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!include "${LANGNSH}"
!insertmacro MUI_RESERVEFILE_LANGDLL

Function .onInit
	!insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
	!insertmacro MUI_UNGETLANGUAGE
FunctionEnd

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Restore Doctor authors"

Section "Install"
	SetShellVarContext current
	SetOutPath "$INSTDIR"
	File "${DIST}\${APP}.exe"
	File "${DIST}\restoredoctor.exe"
	WriteUninstaller "$INSTDIR\Uninstall.exe"
	CreateShortCut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${APP}.exe" "" "" 0 SW_SHOWNORMAL "" "$(RD_shortcut_description)"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APP}"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Restore Doctor"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${APP}.exe"
	WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
	WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
	; the installer's language (the Windows display language, or the chooser's pick), for the uninstaller
	WriteRegStr HKCU "${UNINSTKEY}" "${MUI_LANGDLL_REGISTRY_VALUENAME}" $LANGUAGE
SectionEnd

Section "Uninstall"
	SetShellVarContext current
	Delete "$SMPROGRAMS\${APP}.lnk"
	Delete "$INSTDIR\${APP}.exe"
	Delete "$INSTDIR\restoredoctor.exe"
	Delete "$INSTDIR\Uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
