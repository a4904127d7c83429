# minewall_embed_text(<input> <output.cpp> <function>): at build time, turns a text file into a
# .cpp defining `std::string_view minewall::policy::embedded::<function>()`. Bytes are written as
# hex so any content (quotes, ")", NUL) is safe.
set(MINEWALL_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_text_script.cmake)

function(minewall_embed_text input output function)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DFUNCTION=${function}
            -P ${MINEWALL_EMBED_SCRIPT}
    DEPENDS ${input} ${MINEWALL_EMBED_SCRIPT}
    COMMENT "Embedding ${input}"
    VERBATIM)
endfunction()
