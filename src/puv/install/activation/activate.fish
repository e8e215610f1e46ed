# Activate this virtual environment in fish:
#
#     source bin/activate.fish
#
# `deactivate` returns to the previous environment. Written by puv.

function deactivate --description 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE; and functions -q _old_fish_prompt
        # An empty function path makes `functions -e` drop our prompt instead of reloading it.
        set -l fish_function_path
        functions -e fish_prompt
        functions -c _old_fish_prompt fish_prompt
        functions -e _old_fish_prompt
        set -e _OLD_FISH_PROMPT_OVERRIDE
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e pydoc
        functions -e deactivate
    end
end

# Leave any environment that is active now.
deactivate nondestructive

set -gx VIRTUAL_ENV __VIRTUAL_ENV__
if string match -qr 'CYGWIN|MSYS|MINGW' (uname); and command -s cygpath > /dev/null
    set -gx VIRTUAL_ENV (cygpath -u "$VIRTUAL_ENV")
end

set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH

set -l puv_prompt __VIRTUAL_PROMPT__
if test -n "$puv_prompt"
    set -gx VIRTUAL_ENV_PROMPT $puv_prompt
else
    set -gx VIRTUAL_ENV_PROMPT (basename "$VIRTUAL_ENV")
end

# A PYTHONHOME would point the environment's interpreter at another installation.
if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

function pydoc --description 'Document the packages of the virtual environment'
    python -m pydoc $argv
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _old_fish_prompt
    function fish_prompt
        # Run the previous prompt first: it may show the last command's status.
        set -l previous (_old_fish_prompt)
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        string join -- \n $previous
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
