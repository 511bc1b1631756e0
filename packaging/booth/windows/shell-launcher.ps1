# Windows recipe (docs/booth.md): make the booth the shell of the local user "tvbooth" with
# Shell Launcher (Windows 10/11 Enterprise, Education or IoT Enterprise). Run as Administrator
# after turning on "Shell Launcher" under "Turn Windows features on or off" > Device Lockdown.
#
# When the booth exits: 0 (staff exit) -> do nothing (staff sign out with Ctrl+Alt+Del);
# anything else (a crash, or staff Restart = 75) -> start the booth again.
$ErrorActionPreference = "Stop"
$User = "tvbooth"
$Booth = '"C:\Program Files\tvclient\tvclient.exe" --booth --staff-pin-file "C:\ProgramData\tvclient\staff-pin"'

# WESL_UserSetting actions: 0 restart the shell, 1 restart the device, 2 shut down, 3 nothing.
$RestartShell = 0
$DoNothing = 3

$Setting = [wmiclass]"\\localhost\root\standardcimv2\embedded:WESL_UserSetting"
$Sid = (New-Object System.Security.Principal.NTAccount($User)).Translate(
    [System.Security.Principal.SecurityIdentifier]).Value

# Everyone else (administrators, staff maintenance accounts) keeps Explorer.
$Setting.SetDefaultShell("explorer.exe", $RestartShell) | Out-Null
$Setting.SetCustomShell($Sid, $Booth, @(0), @($DoNothing), $RestartShell) | Out-Null
$Setting.SetEnabled($true) | Out-Null
Write-Output "The tvclient booth is now the shell of $User. Sign in as $User to start it."
