# Build the tvclient installer on Windows 10/11 x64. NOT RUN BY CI (the project's CI is Linux).
# Needs: Python 3.11 (py launcher), Git, Inno Setup 6 (iscc.exe on PATH or in the default folder).
# Run from the repository root in PowerShell:   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Output: dist\tvclient\ (the bundle) and dist\tvclient-<version>-windows-x64-setup.exe
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv-win)) { py -3.11 -m venv .venv-win }
.\.venv-win\Scripts\python -m pip install --upgrade pip
.\.venv-win\Scripts\python -m pip install -e ".[server,gamepad,package]"

$version = (.\.venv-win\Scripts\python -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])").Trim()
$commit = (git rev-parse --short=12 HEAD).Trim()
if (git --no-optional-locks status --porcelain --untracked-files=no) { $commit = "$commit+dirty" }
New-Item -ItemType Directory -Force build | Out-Null
Set-Content -Encoding ascii build\_build.txt "$commit $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd'))"

.\.venv-win\Scripts\python packaging\icons.py build\icons
.\.venv-win\Scripts\python -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller `
    packaging\tvclient.spec -- --build-stamp build\_build.txt --icons build\icons

# Smoke check before packaging: the frozen app starts its demo stack and draws a readable QR.
.\dist\tvclient\tvclient-cli.exe --version
.\dist\tvclient\tvclient-cli.exe --self-test
if ($LASTEXITCODE -ne 0) { throw "self-test failed" }

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" "/DBundleDir=..\..\dist\tvclient" "/DIconFile=..\..\build\icons\tvclient.ico" packaging\windows\tvclient.iss
if ($LASTEXITCODE -ne 0) { throw "iscc failed" }
# Optional code signing (a certificate in the store):
#   signtool sign /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 /a dist\tvclient-$version-windows-x64-setup.exe
