@REM Document the packages of this virtual environment. Written by puv.
@"%~dp0python.exe" -m pydoc %*
