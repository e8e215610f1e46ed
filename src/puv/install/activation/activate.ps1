# Activate this virtual environment in PowerShell:
#
#     . bin/activate.ps1
#
# `deactivate` returns to the previous environment. The environment is found from this file's
# own path, so the script works wherever the environment is moved. Written by puv.

function global:deactivate([switch] $NonDestructive) {
    if (Test-Path variable:_OLD_VIRTUAL_PATH) {
        $env:PATH = $variable:_OLD_VIRTUAL_PATH
        Remove-Variable "_OLD_VIRTUAL_PATH" -Scope global
    }
    if (Test-Path variable:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $variable:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable "_OLD_VIRTUAL_PYTHONHOME" -Scope global
    }
    if (Test-Path function:_old_virtual_prompt) {
        $function:prompt = $function:_old_virtual_prompt
        Remove-Item function:\_old_virtual_prompt
    }
    Remove-Item env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (!$NonDestructive) {
        Remove-Item function:deactivate
        Remove-Item function:pydoc -ErrorAction SilentlyContinue
    }
}

# Leave any environment that is active now.
deactivate -NonDestructive

function global:pydoc {
    & python -m pydoc $args
}

$env:VIRTUAL_ENV = Split-Path -Parent (Split-Path -Parent $MyInvocation.MyCommand.Path)

$script:PuvPrompt = __VIRTUAL_PROMPT__
if ($script:PuvPrompt -ne "") {
    $env:VIRTUAL_ENV_PROMPT = $script:PuvPrompt
} else {
    $env:VIRTUAL_ENV_PROMPT = Split-Path $env:VIRTUAL_ENV -Leaf
}
Remove-Variable PuvPrompt -Scope script

# A PYTHONHOME would point the environment's interpreter at another installation.
if (Test-Path env:PYTHONHOME) {
    New-Variable -Scope global -Name _OLD_VIRTUAL_PYTHONHOME -Value $env:PYTHONHOME
    Remove-Item env:PYTHONHOME
}

New-Variable -Scope global -Name _OLD_VIRTUAL_PATH -Value $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV "bin") + [IO.Path]::PathSeparator + $env:PATH

if (!$env:VIRTUAL_ENV_DISABLE_PROMPT) {
    function global:_old_virtual_prompt { "" }
    $function:_old_virtual_prompt = $function:prompt
    function global:prompt {
        $previous = & $function:_old_virtual_prompt
        "(" + $env:VIRTUAL_ENV_PROMPT + ") " + $previous
    }
}
