# Activate this virtual environment in csh or tcsh:
#
#     source bin/activate.csh
#
# `deactivate` returns to the previous environment. Written by puv.

set newline='\
'

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH; test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash; test "\!:*" != nondestructive && unalias deactivate pydoc'

# Leave any environment that is active now.
deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/bin:$PATH:q"

if (__VIRTUAL_PROMPT__ != "") then
    setenv VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__
else
    setenv VIRTUAL_ENV_PROMPT "$VIRTUAL_ENV:t:q"
endif

# A PYTHONHOME would point the environment's interpreter at another installation.
if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

set _puv_show_prompt = 1
if ($?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ("$VIRTUAL_ENV_DISABLE_PROMPT" != "") set _puv_show_prompt = 0
endif
# A non-interactive shell has no prompt; a prompt of several lines is left alone.
if ($_puv_show_prompt == 1 && $?prompt) then
    set _OLD_VIRTUAL_PROMPT="$prompt:q"
    if ("$prompt:q" !~ *"$newline:q"*) then
        set prompt = "($VIRTUAL_ENV_PROMPT:q) $prompt:q"
    endif
endif
unset _puv_show_prompt

alias pydoc python -m pydoc

rehash
