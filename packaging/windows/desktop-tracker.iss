; Inno Setup 6 script: the Windows installer of desktop_tracker.
; Built by packaging/build.py on Windows (CI: .github/workflows/release.yml), which passes
;   /DAppVersion=0.1.0 /DSourceDir=<the PyInstaller folder> /DRepoRoot=<the checkout> /O<dist>
; By hand: iscc /DAppVersion=0.1.0 /DSourceDir=build\packaging\dist\desktop-tracker ^
;          /DRepoRoot=. /Odist packaging\windows\desktop-tracker.iss

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\packaging\dist\desktop-tracker"
#endif
#ifndef RepoRoot
  #define RepoRoot "..\.."
#endif

[Setup]
; A fixed AppId: upgrades replace the installed version and share its uninstaller.
AppId={{6F0C2B7E-4D38-4E55-9C55-0D9E3B1A7A21}
AppName=desktop_tracker
AppVersion={#AppVersion}
AppVerName=desktop_tracker {#AppVersion}
AppPublisher=desktop_tracker developers
DefaultDirName={autopf}\desktop_tracker
DefaultGroupName=desktop_tracker
DisableProgramGroupPage=yes
; Per-user by default (no administrator needed); the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=desktop-tracker-{#AppVersion}-windows-setup
SetupIconFile={#RepoRoot}\resources\icons\desktop-tracker.ico
UninstallDisplayIcon={app}\desktop-tracker.exe
UninstallDisplayName=desktop_tracker
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The app runs in the tray: close it before files are replaced or removed.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The Start-menu entry, and an optional desktop shortcut.
Name: "{autoprograms}\desktop_tracker"; Filename: "{app}\desktop-tracker.exe"; Comment: "Watch web pages and hear when they change"
Name: "{autodesktop}\desktop_tracker"; Filename: "{app}\desktop-tracker.exe"; Tasks: desktopicon

[Registry]
; Start at login is the app's own setting (the value "desktop-tracker" of the user's Run key,
; written by `desktop-tracker autostart on`); the uninstaller removes it, never creates it.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "desktop-tracker"; Flags: uninsdeletevalue dontcreatekey

[Run]
Filename: "{app}\desktop-tracker.exe"; Description: "{cm:LaunchProgram,desktop_tracker}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; Nothing to stop by hand: CloseApplications closes a running app. User data
; (%LOCALAPPDATA%\desktop-tracker) is the user's and stays.
