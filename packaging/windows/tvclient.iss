; Inno Setup script for tvclient on Windows 10/11 (x64). NOT BUILT BY CI: run it on Windows with
; packaging/windows/build.ps1, which builds the PyInstaller bundle from packaging/tvclient.spec
; first and then calls:
;   iscc /DAppVersion=0.1.0 /DBundleDir=..\..\dist\tvclient /DIconFile=..\..\build\icons\tvclient.ico packaging\windows\tvclient.iss
; Output: dist\tvclient-<version>-windows-x64-setup.exe. docs/packaging.md has the whole recipe.

#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z (the version in pyproject.toml)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\tvclient"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\tvclient.ico"
#endif

[Setup]
AppId={{6B1E7C52-7D0A-4C7E-9B8E-2F0D6E4A9C31}
AppName=tvclient
AppVersion={#AppVersion}
AppPublisher=tvclient developers
DefaultDirName={autopf}\tvclient
DefaultGroupName=tvclient
DisableProgramGroupPage=yes
; Per-user install without admin rights is offered; all users needs elevation.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=tvclient-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\tvclient.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
; The XDG-autostart equivalent: off unless ticked.
Name: "autostart"; Description: "Start tvclient when I sign in"; GroupDescription: "Start-up:"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\tvclient"; Filename: "{app}\tvclient.exe"
Name: "{group}\tvclient self-test"; Filename: "{app}\tvclient-cli.exe"; Parameters: "--self-test"
Name: "{autodesktop}\tvclient"; Filename: "{app}\tvclient.exe"; Tasks: desktopicon
Name: "{userstartup}\tvclient"; Filename: "{app}\tvclient.exe"; Tasks: autostart

[Run]
Filename: "{app}\tvclient.exe"; Description: "{cm:LaunchProgram,tvclient}"; Flags: nowait postinstall skipifsilent

; Uninstalling removes only {app}: the user's settings (%LOCALAPPDATA%\tvclient), demo data and the
; credential in Windows Credential Manager stay, as on Linux.

[Code]
// Post-install check: the installed bundle runs its self-test offscreen (demo stack, home
// screen, QR). A failure is shown, with the command to run again; the files stay installed.
procedure CurStepChanged(CurStep: TSetupStep);
var
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    WizardForm.StatusLabel.Caption := 'Checking the installation (tvclient --self-test)...';
    if not Exec(ExpandConstant('{app}\tvclient-cli.exe'), '--self-test', ExpandConstant('{app}'),
                SW_HIDE, ewWaitUntilTerminated, ResultCode) or (ResultCode <> 0) then
      SuppressibleMsgBox('The tvclient self-test failed (exit code ' + IntToStr(ResultCode) + ').' + #13#10 +
        'Run "' + ExpandConstant('{app}\tvclient-cli.exe') + ' --self-test" in a terminal to see which check failed, ' +
        'and "tvclient-cli.exe doctor" for how to fix this computer.', mbError, MB_OK, IDOK);
  end;
end;
