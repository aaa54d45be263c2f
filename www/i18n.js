// UI strings for <scalp-compare>, by language. English is the source text (the
// keys); each other language maps an English string to its translation, with
// {placeholders} kept. The element picks the language from its own `lang`
// attribute, else the nearest ancestor's, else the page's.
//
// Messages that come from the core or the workers (why a photo was refused or not
// loaded) are written in English and translated by their text (`t.message`); those
// that carry a file name or a size are matched against the templates in MESSAGES.
// A message with no entry is shown in English.

const es = {
  // Views
  "Slider": "Deslizador",
  "Fade": "Fundido",
  "Side by side": "Lado a lado",
  "Difference": "Diferencia",
  "Blink": "Parpadeo",
  "Change map": "Mapa de cambios",
  "View": "Vista",
  "BEFORE opacity": "Opacidad de ANTES",
  "Pause blinking": "Pausar parpadeo",
  "Resume blinking": "Reanudar parpadeo",
  "Reset zoom": "Restablecer zoom",
  "Zoom {n}%": "Zoom {n}%",
  "{label} photo": "Foto {label}",
  "Put in the order they were taken: {before} is BEFORE ({bd}), {after} is AFTER ({ad}).":
    "Puestas en el orden en que se tomaron: {before} es ANTES ({bd}), {after} es DESPUÉS ({ad}).",
  "Show change map": "Mostrar mapa de cambios",
  "Hide change map": "Ocultar mapa de cambios",
  "hair came back": "el pelo volvió",
  "hair was lost": "se perdió pelo",
  "(stronger colour = bigger change)": "(color más intenso = cambio mayor)",
  // Photos and the frame
  "BEFORE": "ANTES",
  "Before": "Antes",
  "After": "Después",
  "AFTER": "DESPUÉS",
  "Choose BEFORE photo…": "Elegir foto ANTES…",
  "Choose AFTER photo…": "Elegir foto DESPUÉS…",
  "Dismiss message": "Cerrar mensaje",
  "Loading {which} photo…": "Cargando la foto {which}…",
  "Loading {which} photos…": "Cargando las fotos {which}…",
  "{a} and {b}": "{a} y {b}",
  "No photos to compare yet.": "Todavía no hay fotos que comparar.",
  "Drop a BEFORE and an AFTER photo here, or choose them below.":
    "Suelte aquí una foto ANTES y una DESPUÉS, o elíjalas abajo.",
  "Drop to set BEFORE and AFTER": "Suelte para poner ANTES y DESPUÉS",
  "Drop to replace the {side} photo": "Suelte para reemplazar la foto {side}",
  "{side} photo {name} was not loaded. {message}": "La foto {side} {name} no se cargó. {message}",
  "The annotation and session tools could not start: this page or browser does not allow WebAssembly here (a Content-Security-Policy needs 'wasm-unsafe-eval').":
    "Las herramientas de anotación y de sesión no pudieron iniciarse: esta página o este navegador no permite WebAssembly aquí (una Content-Security-Policy necesita 'wasm-unsafe-eval').",
  "The photo tools could not start in this browser.": "Las herramientas de fotos no pudieron iniciarse en este navegador.",
  "The photo tools could not start on this page: {detail}": "Las herramientas de fotos no pudieron iniciarse en esta página: {detail}",
  "Comparison split between {before} and {after}": "División de la comparación entre {before} y {after}",
  "{b}% {before} shown, {a}% {after} shown": "{b}% de {before} visible, {a}% de {after} visible",
  // Alignment
  "Photos": "Fotos",
  "Alignment": "Alineación",
  "Align by landmarks…": "Alinear por puntos de referencia…",
  "Adjust alignment": "Ajustar alineación",
  "Reset to automatic": "Volver a la automática",
  "Lock alignment": "Bloquear alineación",
  "Move AFTER left": "Mover DESPUÉS a la izquierda",
  "Move AFTER right": "Mover DESPUÉS a la derecha",
  "Move AFTER up": "Mover DESPUÉS arriba",
  "Move AFTER down": "Mover DESPUÉS abajo",
  "Rotate AFTER anticlockwise": "Girar DESPUÉS en sentido antihorario",
  "Rotate AFTER clockwise": "Girar DESPUÉS en sentido horario",
  "Make AFTER smaller": "Hacer DESPUÉS más pequeña",
  "Make AFTER larger": "Hacer DESPUÉS más grande",
  "Aligning photos…": "Alineando las fotos…",
  "Not aligned": "Sin alinear",
  "Could not align these photos: {message}": "No se pudieron alinear estas fotos: {message}",
  "These photos could not be lined up automatically, so they are shown as taken.":
    "Estas fotos no se pudieron alinear automáticamente; se muestran tal como se tomaron.",
  "Aligned automatically": "Alineadas automáticamente",
  "Aligned by hand": "Alineadas a mano",
  "Alignment restored": "Alineación restaurada",
  "confidence {pct}%": "confianza {pct}%",
  "locked": "bloqueada",
  "Adjust alignment: arrow keys move AFTER, [ and ] rotate it, - and + scale it, Escape when done":
    "Ajustar alineación: las flechas mueven DESPUÉS, [ y ] la giran, - y + la escalan, Escape para terminar",
  // Coverage
  "Measured region": "Región medida",
  "Draw scalp region": "Dibujar región del cuero cabelludo",
  "Finish region": "Terminar región",
  "Automatic region": "Región automática",
  "Draw the scalp region: click its corners (or move the cross with the arrow keys and press Space), then Enter or double-click to finish; Backspace removes a corner; Escape cancels":
    "Dibuje la región: haga clic en sus esquinas (o mueva la cruz con las flechas y pulse Espacio) y pulse Intro o doble clic para terminar; Retroceso quita una esquina; Escape cancela",
  "Edit scalp region": "Editar región del cuero cabelludo",
  "Corner added.": "Esquina añadida.",
  "Corner removed.": "Esquina quitada.",
  "Corner dropped.": "Esquina soltada.",
  "Corner picked up: move it with the arrow keys, Space drops it.":
    "Esquina tomada: muévala con las flechas; Espacio la suelta.",
  "A corner is already there.": "Ya hay una esquina ahí.",
  "No corner under the cross.": "No hay ninguna esquina bajo la cruz.",
  "A region keeps at least three corners.": "Una región conserva al menos tres esquinas.",
  "A region needs at least three corners; {n} placed. Add another, or press Finish region again to stop without one.": "Una región necesita al menos tres esquinas; hay {n}. Añada otra, o pulse de nuevo Terminar región para dejarlo sin región.",
  "Edit the scalp region: drag a corner to move it, click beside an edge to add a corner there (or move the cross with the arrow keys; Space picks up or drops the corner under it, or adds one); Backspace removes the corner under the cross; Enter or double-click finishes; Escape cancels":
    "Edite la región: arrastre una esquina para moverla, haga clic junto a un borde para añadir ahí una esquina (o mueva la cruz con las flechas; Espacio toma o suelta la esquina bajo ella, o añade una); Retroceso quita la esquina bajo la cruz; Intro o doble clic termina; Escape cancela",
  "Measuring hair coverage…": "Midiendo la cobertura de pelo…",
  "Hair coverage could not be measured: {message}.": "No se pudo medir la cobertura de pelo: {message}.",
  // Why the core gave no coverage number (its messages, word for word; a test keeps them in step).
  "the region is too small to measure hair coverage; draw a larger area of scalp":
    "la región es demasiado pequeña para medir la cobertura de pelo; dibuje una zona mayor del cuero cabelludo",
  "could not find the head in the photo; draw the scalp region by hand":
    "no se encontró la cabeza en la foto; dibuje a mano la región del cuero cabelludo",
  "the photo is too bright (overexposed) to measure hair coverage; retake it with less light or no flash":
    "la foto está demasiado clara (sobreexpuesta) para medir la cobertura de pelo; repítala con menos luz o sin flash",
  "the photo is too dark (underexposed) to measure hair coverage; retake it with more light":
    "la foto está demasiado oscura (subexpuesta) para medir la cobertura de pelo; repítala con más luz",
  "the photo is too blurred to measure hair coverage; retake it holding the camera still and in focus":
    "la foto está demasiado borrosa para medir la cobertura de pelo; repítala con la cámara quieta y enfocada",
  "the region shows no detail to tell hair from skin (blurred, featureless or not a scalp); retake the photo":
    "la región no muestra detalle para distinguir el pelo de la piel (borrosa, sin rasgos o no es un cuero cabelludo); repita la foto",
  "the alignment between the two photos is not usable (it cannot be inverted)":
    "la alineación entre las dos fotos no se puede usar (no es invertible)",
  "the two photos do not show enough of the same region to compare coverage":
    "las dos fotos no muestran lo suficiente de la misma región para comparar la cobertura",
  "hair and skin cannot be told apart reliably in this photo (equally plausible readings differ by more than 30 points); draw a region over the area that matters, or retake the photo evenly lit and in focus":
    "en esta foto no se distingue con fiabilidad el pelo de la piel (lecturas igual de plausibles difieren en más de 30 puntos); dibuje una región sobre la zona que importa o repita la foto con luz uniforme y enfocada",
  "hair and skin are too alike in colour in this photo to tell apart (less than about 40 % apart in tone and hue); a number would be a guess":
    "en esta foto el pelo y la piel tienen un color demasiado parecido para distinguirlos (menos de un 40 % de diferencia en tono y matiz); un número sería una suposición",
  "no scalp of a skin's colour was found between the hairs in this photo (the hair may hide it, or the light is strongly tinted); draw a region where scalp shows, or retake the photo in neutral light":
    "en esta foto no se encontró entre el pelo cuero cabelludo de color de piel (el pelo puede ocultarlo, o la luz está muy teñida); dibuje una región donde se vea el cuero cabelludo o repita la foto con luz neutra",
  "what reads as hair in this photo shows no strands, only a smooth change in the scalp's colour (redder or darker skin, or shade); draw a region over the area that matters, or retake the photo evenly lit":
    "lo que parece pelo en esta foto no muestra cabellos, solo un cambio suave del color del cuero cabelludo (piel más roja u oscura, o sombra); dibuje una región sobre la zona que importa o repita la foto con luz uniforme",
  "strong shine or glare on the scalp in this photo hides the skin between the hairs; retake the photo without flash or direct light, or draw a region away from the shine":
    "en esta foto un brillo o reflejo fuerte en el cuero cabelludo oculta la piel entre el pelo; repita la foto sin flash ni luz directa o dibuje una región lejos del brillo",
  // A patient reading the region their specialist marked.
  "the region marked on the photo is too small to measure hair coverage; your specialist can mark a larger one":
    "la región marcada en la foto es demasiado pequeña para medir la cobertura de pelo; su especialista puede marcar una más grande",
  // The same refusals for a photo measured whole (a SALT-style view, a visit), where no
  // region can be drawn.
  "the scalp in this photo is too small to measure hair coverage; retake it closer to the head":
    "el cuero cabelludo de esta foto es demasiado pequeño para medir la cobertura de pelo; repítala más cerca de la cabeza",
  "could not find the head in the photo; retake it with the head in the middle of the frame, against a plain background":
    "no se encontró la cabeza en la foto; repítala con la cabeza en el centro del encuadre, sobre un fondo liso",
  "hair and skin cannot be told apart reliably in this photo (equally plausible readings differ by more than 30 points); retake the photo evenly lit and in focus":
    "en esta foto no se distingue con fiabilidad el pelo de la piel (lecturas igual de plausibles difieren en más de 30 puntos); repita la foto con luz uniforme y enfocada",
  "no scalp of a skin's colour was found between the hairs in this photo (the hair may hide it, or the light is strongly tinted); retake the photo in neutral light":
    "en esta foto no se encontró entre el pelo cuero cabelludo de color de piel (el pelo puede ocultarlo, o la luz está muy teñida); repita la foto con luz neutra",
  "what reads as hair in this photo shows no strands, only a smooth change in the scalp's colour (redder or darker skin, or shade); retake the photo evenly lit":
    "lo que parece pelo en esta foto no muestra cabellos, solo un cambio suave del color del cuero cabelludo (piel más roja u oscura, o sombra); repita la foto con luz uniforme",
  "strong shine or glare on the scalp in this photo hides the skin between the hairs; retake the photo without flash or direct light":
    "en esta foto un brillo o reflejo fuerte en el cuero cabelludo oculta la piel entre el pelo; repita la foto sin flash ni luz directa",
  // Why a photo was not loaded (from the core and the loading worker).
  "The file is empty.": "El archivo está vacío.",
  "This file is not a photo: expected a JPEG or PNG image.": "Este archivo no es una foto: se esperaba una imagen JPEG o PNG.",
  "The file could not be read.": "No se pudo leer el archivo.",
  "This browser cannot decode photos here.": "Este navegador no puede decodificar fotos aquí.",
  "{name} images are not supported: please save the photo as JPEG or PNG.":
    "Las imágenes {name} no son compatibles: guarde la foto como JPEG o PNG.",
  "The {format} file is incomplete (it ends too early); it may not have finished copying.":
    "El archivo {format} está incompleto (termina antes de tiempo); puede que no se haya terminado de copiar.",
  "The {format} file is damaged: the browser could not decode its pixels.":
    "El archivo {format} está dañado: el navegador no pudo decodificar sus píxeles.",
  "The {format} file is damaged: {detail}.": "El archivo {format} está dañado: {detail}.",
  // What is damaged in a file (the {detail} above).
  "it declares a size of {width}\u00d7{height} pixels": "declara un tamaño de {width}\u00d7{height} píxeles",
  "a header segment is out of place": "un segmento de cabecera está fuera de lugar",
  "it starts twice": "empieza dos veces",
  "it ends before any image data": "termina antes de los datos de imagen",
  "a header segment has an impossible length": "un segmento de cabecera tiene una longitud imposible",
  "its frame header is too short": "su cabecera de fotograma es demasiado corta",
  "image data comes before the frame header": "los datos de imagen van antes de la cabecera de fotograma",
  "the checksum of its {name} chunk does not match": "la suma de comprobación de su bloque {name} no coincide",
  "it has no header chunk": "no tiene bloque de cabecera",
  "its header has the wrong size": "su cabecera tiene un tamaño incorrecto",
  "The photo declares {width}\u00d7{height} pixels ({mp} megapixels); photos over {max} megapixels or {side} pixels a side are refused.":
    "La foto declara {width}\u00d7{height} píxeles ({mp} megapíxeles); se rechazan las fotos de más de {max} megapíxeles o de {side} píxeles por lado.",
  // Why two photos were not aligned (from the core).
  "could not align these photos reliably (confidence {confidence}%); check that they show the same area, or place a few matching landmarks by hand":
    "no se pudieron alinear estas fotos con fiabilidad (confianza {confidence} %); compruebe que muestran la misma zona o coloque a mano algunos puntos de referencia coincidentes",
  "one of the photos is almost blank, so there is nothing to line up": "una de las fotos está casi en blanco, así que no hay nada que alinear",
  "this photo is too small to align ({width}x{height} pixels; at least {min}x{min2} needed)":
    "esta foto es demasiado pequeña para alinearla ({width}x{height} píxeles; se necesitan al menos {min}x{min2})",
  "This photo is too small to compare ({width}\u00d7{height} pixels; at least {min}\u00d7{min2} needed).":
    "Esta foto es demasiado pequeña para comparar ({width}\u00d7{height} píxeles; se necesitan al menos {min}\u00d7{min2}).",
  // Why landmarks could not be used (from the core).
  "the landmarks could not be used: {detail}": "no se pudieron usar los puntos de referencia: {detail}",
  "each landmark needs a partner: {before} marked on the before photo, {after} on the after photo":
    "cada punto de referencia necesita su pareja: {before} marcados en la foto ANTES, {after} en la foto DESPUÉS",
  "{a} {model} alignment needs at least {needed} landmark pairs, {given} given":
    "una alineación ({model}) necesita al menos {needed} pares de puntos de referencia; se dieron {given}",
  "a landmark has an invalid position": "un punto de referencia tiene una posición no válida",
  "no {model} alignment brings these pairs together (one is left {px} px from its partner); check that each pair marks the same spot, or, if one photo is mirrored, use the affine model":
    "ninguna alineación de {model} junta estos pares (uno queda a {px} px de su pareja); compruebe que cada par marca el mismo punto o, si una foto está reflejada, use el modelo afín",
  "no {model} alignment brings these pairs together (one is left {px} px from its partner); check that each pair marks the same spot":
    "ninguna alineación de {model} junta estos pares (uno queda a {px} px de su pareja); compruebe que cada par marca el mismo punto",
  "the landmarks are too close together or on one line; spread them over the photo":
    "los puntos de referencia están demasiado juntos o en una línea; repártalos por la foto",
  "Could not download the photo {name}.": "No se pudo descargar la foto {name}.",
  "Could not download the photo {name} (HTTP {status}).": "No se pudo descargar la foto {name} (HTTP {status}).",
  "{pp} ± {u} points more hair": "{pp} ± {u} puntos más de pelo",
  "{pp} ± {u} points less hair": "{pp} ± {u} puntos menos de pelo",
  "no clear change ({sign}{pp} ± {u} points)": "sin cambio claro ({sign}{pp} ± {u} puntos)",
  " in the drawn region": " en la región dibujada",
  " where both photos show the scalp": " donde ambas fotos muestran el cuero cabelludo",
  "Hair coverage {b} ± {bu} at {before}, {a} ± {au} at {after}: {direction}{where}. An estimate, not a diagnosis.":
    "Cobertura de pelo {b} ± {bu} en {before}, {a} ± {au} en {after}: {direction}{where}. Una estimación, no un diagnóstico.",
  " These photos may not be lined up well, so the change may be off.":
    " Puede que estas fotos no estén bien alineadas, así que el cambio puede no ser exacto.",
  " The photos' detail does not confirm this alignment (confidence {pct}%): check the overlay, and lock it once it is right.":
    " El detalle de las fotos no confirma esta alineación (confianza {pct}%): revise la superposición y bloquéela cuando sea correcta.",
  "more hair, up by about {pp} percentage points (give or take {u})":
    "más pelo, unos {pp} puntos porcentuales más (con un margen de {u})",
  "less hair, down by about {pp} percentage points (give or take {u})":
    "menos pelo, unos {pp} puntos porcentuales menos (con un margen de {u})",
  "no clear change (the photos cannot show a change smaller than about {u} percentage points)":
    "sin cambio claro (las fotos no pueden mostrar un cambio menor de unos {u} puntos porcentuales)",
  " in the area your specialist marked": " en la zona que marcó su especialista",
  "In these photos hair covers about {b} of the scalp{where} at {before} and about {a} at {after}: {change}. An estimate from photos, not a diagnosis: your specialist can tell you what it means.":
    "En estas fotos el pelo cubre alrededor del {b} del cuero cabelludo{where} en {before} y alrededor del {a} en {after}: {change}. Una estimación a partir de fotos, no un diagnóstico: su especialista puede explicarle qué significa.",
  "This is not a valid web address.": "No es una dirección web válida.",
  "Hair coverage has not been measured.": "La cobertura de pelo no se ha medido.",
  // Visits
  "Visits: pick two to compare (the last two picked)": "Visitas: elija dos para comparar (las dos últimas elegidas)",
  "Hair coverage at each visit, over the first visit's scalp region (an estimate; bars show the uncertainty)":
    "Cobertura de pelo en cada visita, sobre la región del cuero cabelludo de la primera visita (una estimación; las barras muestran la incertidumbre)",
  "Visit": "Visita",
  "Hair coverage": "Cobertura de pelo",
  "Visit {n}": "Visita {n}",
  "{label}, shown as {role}": "{label}, mostrada como {role}",
  "not measured": "sin medir",
  "alignment not confirmed": "alineación no confirmada",
  "{visit}: its photo may not be lined up well with the first visit's (its alignment was not made automatically, and the photos' detail does not confirm it: confidence {pct}%), so its point may be off.":
    "{visit}: puede que su foto no esté bien alineada con la de la primera visita (su alineación no se hizo automáticamente y el detalle de las fotos no la confirma: confianza {pct}%), así que su punto puede no ser exacto.",
  "not measured: {reason}": "sin medir: {reason}",
  "{visit}: not measured yet": "{visit}: aún sin medir",
  "{visit}: {coverage}% hair coverage \u00b1 {unc} points": "{visit}: {coverage}% de cobertura de pelo \u00b1 {unc} puntos",
  "{visit}: not measured: {reason}": "{visit}: sin medir: {reason}",
  "the first visit, which every visit is measured against, could not be measured":
    "no se pudo medir la primera visita, con la que se mide cada visita",
  "it could not be aligned with the first visit": "no se pudo alinear con la primera visita",
  // SALT-style estimate from four views
  "Measuring the four views… ({n} of 4)": "Midiendo las cuatro vistas… ({n} de 4)",
  "No SALT-style estimate: {message}": "Sin estimación de tipo SALT: {message}",
  "The last estimate stands: {text}": "Se mantiene la última estimación: {text}",
  "{view}: {message}": "{view}: {message}",
  "top view": "vista superior",
  "back view": "vista posterior",
  "left view": "vista izquierda",
  "right view": "vista derecha",
  "The four views": "Las cuatro vistas",
  "Top": "Arriba",
  "Back": "Atrás",
  "Left": "Izquierda",
  "Right": "Derecha",
  "{view}, weight {weight}%": "{view}, peso {weight}%",
  "{coverage}% hair coverage ± {unc} points": "{coverage}% de cobertura de pelo ± {unc} puntos",
  "SALT-style estimate from photos, not a clinical SALT score":
    "Estimación de tipo SALT a partir de fotos, no una puntuación SALT clínica",
  "{label}: {loss}% of the scalp without visible hair ± {unc} points (hair coverage: top {top}%, back {back}%, left {left}%, right {right}%).":
    "{label}: {loss}% del cuero cabelludo sin pelo visible ± {unc} puntos (cobertura de pelo: arriba {top}%, atrás {back}%, izquierda {left}%, derecha {right}%).",
  // Annotations
  "Annotations": "Anotaciones",
  "Slide": "Deslizar",
  "Select": "Seleccionar",
  "Pin with note": "Marcador con nota",
  "Arrow": "Flecha",
  "Ellipse": "Elipse",
  "Rectangle": "Rectángulo",
  "Polygon": "Polígono",
  "Freehand": "Mano alzada",
  "Text label": "Etiqueta de texto",
  "Ruler": "Regla",
  "Calibrate mm": "Calibrar mm",
  "Undo": "Deshacer",
  "Redo": "Rehacer",
  "Edit note": "Editar nota",
  "Delete": "Eliminar",
  "Save": "Guardar",
  "Cancel": "Cancelar",
  "Note": "Nota",
  "Undone": "Deshecho",
  "Redone": "Rehecho",
  "{what} deleted": "Anotación eliminada: {what}",
  "{what} added": "Nueva anotación: {what}",
  "{what} added on {photo}": "Nueva anotación en {photo}: {what}",
  "Drag to draw the shape": "Arrastre para dibujar la forma",
  "A polygon needs at least 3 corners": "Un polígono necesita al menos 3 esquinas",
  "Drawing cancelled": "Dibujo cancelado",
  "Annotation tool off": "Herramienta de anotación desactivada",
  "Real length of this line on {photo}, in millimetres": "Longitud real de esta línea en {photo}, en milímetros",
  "Enter the line's real length in millimetres, more than 0 and at most 1000":
    "Introduzca la longitud real en milímetros, mayor que 0 y como máximo 1000",
  "{photo} calibrated: rulers on it now read millimetres": "{photo} calibrada: sus reglas ahora miden en milímetros",
  "{photo} calibrated: {mm} mm = {px} px": "{photo} calibrada: {mm} mm = {px} px",
  "A text label needs some text": "Una etiqueta de texto necesita texto",
  "Note saved": "Nota guardada",
  "Drawing {what}: arrow keys move the cross (Shift: faster), Enter places a point, Escape cancels":
    "Dibujando {what}: las flechas mueven la cruz (Mayús: más rápido), Intro coloca un punto, Escape cancela",
  "Edit cancelled": "Edición cancelada",
  "{n}. {what}{extra} on {photo}{note}": "{n}. {what}{extra} en {photo}{note}",
  // Landmarks panel
  "Align by landmarks": "Alinear por puntos de referencia",
  "Click the same feature (a mole, a scar, the ear, a hairline mark) on BEFORE and on AFTER, pair by pair. Two pairs give a similarity; three or more a least-squares fit. With the keyboard, focus a photo, move the cross with the arrow keys (Shift: faster) and press Enter.":
    "Haga clic en el mismo rasgo (un lunar, una cicatriz, la oreja, una marca de la línea del pelo) en ANTES y en DESPUÉS, par a par. Dos pares dan una semejanza; tres o más, un ajuste por mínimos cuadrados. Con el teclado, enfoque una foto, mueva la cruz con las flechas (Mayús: más rápido) y pulse Intro.",
  "BEFORE photo: arrow keys move the cross, Enter places a landmark": "Foto ANTES: las flechas mueven la cruz, Intro coloca un punto",
  "AFTER photo: arrow keys move the cross, Enter places a landmark": "Foto DESPUÉS: las flechas mueven la cruz, Intro coloca un punto",
  "Model": "Modelo",
  "Similarity (2+ pairs)": "Semejanza (2+ pares)",
  "Affine (3+ pairs)": "Afín (3+ pares)",
  "Homography (4+ pairs)": "Homografía (4+ pares)",
  "Remove last point": "Quitar el último punto",
  "Clear": "Borrar",
  "Apply": "Aplicar",
  "Close": "Cerrar",
  "Landmark residuals": "Residuos de los puntos",
  "similarity": "semejanza",
  "affine": "afín",
  "homography": "homografía",
  ", confidence {pct}%": ", confianza {pct}%",
  "Applied a {model} fit from {n} pairs{conf}.": "Ajuste de {model} aplicado con {n} pares{conf}.",
  "Applied an {model} fit from {n} pairs{conf}.": "Ajuste de {model} aplicado con {n} pares{conf}.",
  "Pair {n}: {px} px from its partner": "Par {n}: a {px} px de su pareja",
  "1 pair placed ({b} on BEFORE, {a} on AFTER); ": "1 par colocado ({b} en ANTES, {a} en DESPUÉS); ",
  "{n} pairs placed ({b} on BEFORE, {a} on AFTER); ": "{n} pares colocados ({b} en ANTES, {a} en DESPUÉS); ",
  "{k} more needed for this model.": "faltan {k} para este modelo.",
  "ready to apply.": "listo para aplicar.",
  "Aligning…": "Alineando…",
  // Sessions and reports
  "Session and report": "Sesión e informe",
  "Open session or annotations…": "Abrir sesión o anotaciones…",
  "Save session": "Guardar sesión",
  "Export annotations": "Exportar anotaciones",
  "Export report (PNG)": "Exportar informe (PNG)",
  "Print report": "Imprimir informe",
  "The annotation tools could not start in this browser.": "Las herramientas de anotación no pudieron iniciarse en este navegador.",
  "The session was not opened: {message}": "La sesión no se abrió: {message}",
  "Session opened: load {names} to see it.": "Sesión abierta: cargue {names} para verla.",
  "Session opened on its photos.": "Sesión abierta sobre sus fotos.",
  "Could not save to this browser's storage ({error}); use Save session.":
    "No se pudo guardar en el almacenamiento del navegador ({error}); use Guardar sesión.",
  "Restored your work on these photos from {when}.": "Se restauró su trabajo en estas fotos del {when}.",
  "Restored your work on these photos.": "Se restauró su trabajo en estas fotos.",
  "The print page was blocked by the browser; allow pop-ups, or use Export report.":
    "El navegador bloqueó la página de impresión; permita ventanas emergentes o use Exportar informe.",
  "Opened session {name}.": "Sesión {name} abierta.",
  "This session was saved with {saved}, not the photos shown ({shown}): check that it is this patient's.":
    "Esta sesión se guardó con {saved}, no con las fotos mostradas ({shown}): compruebe que es de este paciente.",
  "Its alignment was not used: it was made for other photos.":
    "No se usó su alineación: se hizo para otras fotos.",
  "Opened {n} annotation(s) from {name}.": "{n} anotación(es) abiertas desde {name}.",
  "The note being edited was not saved: this view is now read-only.": "La nota que se estaba editando no se guardó: esta vista ahora es de solo lectura.",
  "The photos are still loading; try again in a moment.": "Las fotos aún se están cargando; inténtelo de nuevo en un momento.",
  "Waiting for the measurement to finish\u2026": "Esperando a que termine la medición\u2026",
  "Preparing the report\u2026": "Preparando el informe\u2026",
  "The report could not be made: {message}": "No se pudo hacer el informe: {message}",
  "The photos are still being measured; try again in a moment.": "Las fotos aún se están midiendo; inténtelo de nuevo en un momento.",
  "{n} of them lie outside their photo (made on a photo of another size?).": "{n} de ellas quedan fuera de su foto (¿hechas sobre una foto de otro tamaño?).",
  "{name} was not opened: {message}": "{name} no se abrió: {message}",
  "Load a BEFORE and an AFTER photo first.": "Cargue primero una foto ANTES y una DESPUÉS.",
  "Scalp comparison": "Comparación del cuero cabelludo",
  "Scalp comparison report": "Informe de comparación del cuero cabelludo",
  "generated {date}": "generado el {date}",
  "visit {date}": "visita {date}",
  "date not recorded": "fecha no registrada",
  "The photos are not aligned: AFTER is shown as taken.": "Las fotos no están alineadas: DESPUÉS se muestra tal como se tomó.",
  "Coverage figures are estimates from photographs, with their uncertainty; they are not a diagnosis.":
    "Las cifras de cobertura son estimaciones a partir de fotografías, con su incertidumbre; no son un diagnóstico.",
};

/** Translations by primary language subtag; English is the source. */
export const LANGUAGES = { en: {}, es };

/** The language to use for an element: its own, its ancestors', or the page's. */
export function pickLanguage(el) {
  const holder = el.closest("[lang]");
  const tag = ((holder && holder.getAttribute("lang")) || document.documentElement.lang || "en").toLowerCase();
  const primary = tag.split("-")[0];
  return primary in LANGUAGES ? primary : "en";
}

/** Fills {placeholders} from `vars` (unknown ones stay as they are). */
export function fill(text, vars) {
  return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : text;
}

/**
 * Messages made in English from a template with a file name, a format or a size in
 * them, most specific first: `t.message` finds the values in a message and fills
 * the translated template with them.
 */
const MESSAGES = [
  "The {format} file is damaged: the browser could not decode its pixels.",
  "The {format} file is damaged: {detail}.",
  "The {format} file is incomplete (it ends too early); it may not have finished copying.",
  "{name} images are not supported: please save the photo as JPEG or PNG.",
  "The photo declares {width}\u00d7{height} pixels ({mp} megapixels); photos over {max} megapixels or {side} pixels a side are refused.",
  "Could not download the photo {name} (HTTP {status}).",
  "Could not download the photo {name}.",
  "could not align these photos reliably (confidence {confidence}%); check that they show the same area, or place a few matching landmarks by hand",
  "this photo is too small to align ({width}x{height} pixels; at least {min}x{min2} needed)",
  "This photo is too small to compare ({width}\u00d7{height} pixels; at least {min}\u00d7{min2} needed).",
  "it declares a size of {width}\u00d7{height} pixels",
  "the checksum of its {name} chunk does not match",
  "the landmarks could not be used: {detail}",
  "each landmark needs a partner: {before} marked on the before photo, {after} on the after photo",
  "{a} {model} alignment needs at least {needed} landmark pairs, {given} given",
  "The photo tools could not start on this page: {detail}",
  "no {model} alignment brings these pairs together (one is left {px} px from its partner); check that each pair marks the same spot, or, if one photo is mirrored, use the affine model",
  "no {model} alignment brings these pairs together (one is left {px} px from its partner); check that each pair marks the same spot",
].map((template) => {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const pattern = template
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("(.*?)");
  return { template, names, re: new RegExp(`^${pattern}$`) };
});

/**
 * A translate function for a language: `t("Save {n}", {n: 2})`. Strings with
 * no translation are shown in English and recorded in `t.missing`.
 * `t.message(text)` translates a message from the core or a worker, also one
 * made from a template in MESSAGES.
 */
export function translator(lang) {
  const table = LANGUAGES[lang] || {};
  const missing = new Set();
  const t = (text, vars) => {
    let out = table[text];
    if (out === undefined) {
      if (lang !== "en") missing.add(text);
      out = text;
    }
    return fill(out, vars);
  };
  // {detail} is itself a message (what is damaged in a file, why landmarks could not be
  // used): translated too; so is an alignment model's name. Other values (file names,
  // sizes) stay as they are.
  const value = (n, v) => (n === "detail" ? t.message(v) : n === "model" && Object.hasOwn(table, v) ? table[v] : v);
  t.message = (text) => {
    if (lang === "en" || text in table) return t(text);
    for (const { template, names, re } of MESSAGES) {
      const m = re.exec(text);
      if (m && template in table) return fill(table[template], Object.fromEntries(names.map((n, i) => [n, value(n, m[i + 1])])));
    }
    return t(text);
  };
  // A figure with one decimal as this language writes it ("13,5" in Spanish).
  const oneDecimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
  t.num1 = (v) => oneDecimal.format(v);
  t.lang = lang;
  t.missing = missing;
  return t;
}

/**
 * Marks the static texts of a freshly built tree for translation: elements
 * whose only content is text keep their English in `data-t`, and aria-labels
 * in `data-t-label`. `relabel` then applies a language to them.
 */
export function markTexts(root) {
  for (const el of root.querySelectorAll("*")) {
    if (!el.dataset) continue;
    if (el.getAttribute("aria-label") && !el.dataset.tLabel) el.dataset.tLabel = el.getAttribute("aria-label");
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    // Symbols (arrows, ×, +) are the same in every language.
    if (own.length === 1 && !el.dataset.t && /\p{L}/u.test(own[0].textContent)) el.dataset.t = own[0].textContent.trim();
  }
}

/** Applies a translate function to the texts `markTexts` found. */
export function relabel(root, t) {
  for (const el of root.querySelectorAll("[data-t]")) {
    const node = [...el.childNodes].find((n) => n.nodeType === 3 && n.textContent.trim());
    if (node) node.textContent = node.textContent.replace(node.textContent.trim(), t(el.dataset.t));
  }
  for (const el of root.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
}
