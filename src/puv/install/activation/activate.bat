@REM Activate this virtual environment in cmd.exe: run `bin\activate.bat`.
@REM `deactivate.bat` returns to the previous environment. Written by puv.

@REM Read this file as UTF-8, then restore the code page.
@for /f "tokens=2 delims=:." %%c in ('"%SystemRoot%\System32\chcp.com"') do @set "_OLD_CODEPAGE=%%c"
@if defined _OLD_CODEPAGE "%SystemRoot%\System32\chcp.com" 65001 > nul

@for %%d in ("__VIRTUAL_ENV__") do @set "VIRTUAL_ENV=%%~fd"

@set "VIRTUAL_ENV_PROMPT=__VIRTUAL_PROMPT__"
@if not defined VIRTUAL_ENV_PROMPT for %%d in ("%VIRTUAL_ENV%") do @set "VIRTUAL_ENV_PROMPT=%%~nxd"

@REM Start from the prompt and PATH of before any earlier activation.
@if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
@if not defined PROMPT set "PROMPT=$P$G"
@if not defined VIRTUAL_ENV_DISABLE_PROMPT set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
@if not defined VIRTUAL_ENV_DISABLE_PROMPT set "PROMPT=(%VIRTUAL_ENV_PROMPT%) %PROMPT%"

@REM A PYTHONHOME would point the environment's interpreter at another installation.
@if not defined _OLD_VIRTUAL_PYTHONHOME set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
@set PYTHONHOME=

@if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"
@if not defined _OLD_VIRTUAL_PATH set "_OLD_VIRTUAL_PATH=%PATH%"
@set "PATH=%VIRTUAL_ENV%\bin;%PATH%"

@if defined _OLD_CODEPAGE "%SystemRoot%\System32\chcp.com" %_OLD_CODEPAGE% > nul
@set _OLD_CODEPAGE=
