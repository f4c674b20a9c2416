; Inno Setup script: a per-user or per-machine setup .exe for the one-folder app.
; installers/build.py runs it as:
;   iscc /DAppVersion=<version> /DSourceDir=<dist\hhir-studio> /DOutputDir=<dist> hhir_studio.iss
; Nothing is downloaded at install time or at first run: the app folder holds every model.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=<the PyInstaller one-folder app>
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif

#define AppName "HHIR Studio"
#define ExeName "hhir-studio.exe"

[Setup]
AppId={{6F3C2A0E-8B1D-4C55-9E3A-2D7A61B0C4F1}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=HHIR Studio developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Let the user choose: install for me only (no admin rights) or for all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=hhir-studio-{#AppVersion}-windows-x64-setup
Compression=lzma2/normal
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#ExeName}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#ExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#ExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#ExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
